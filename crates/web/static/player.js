// The review player as an NVR's: our own controls under the video — play and pause, the
// wall-clock time shown (UK time, from the file's clock: `data-clock` pairs of media ms
// and wall-clock ms, one after each gap), a position slider that shows a still of where
// it points while it is dragged or hovered, the playback speed, and marks for the start
// and end of a range to export, which the "Export this range" link then carries. Keys:
// Space, ← → (Shift: a minute), < >, [ ]. Without this script the browser's own
// controls stay, and the export link carries the whole range reviewed.
"use strict";
(() => {
  const video = document.getElementById("player");
  const controls = document.getElementById("player-controls");
  if (!video || !controls) return;
  let clock = [[0, 0]];
  try {
    clock = JSON.parse(video.dataset.clock);
  } catch (e) {
    // Keep the start alone.
  }
  const wall = (seconds) => {
    const ms = seconds * 1000;
    let pair = clock[0];
    for (const p of clock) if (p[0] <= ms) pair = p;
    return pair[1] + (ms - pair[0]);
  };
  const parts = (ms) => {
    const out = {};
    for (const p of new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
    }).formatToParts(new Date(ms))) out[p.type] = p.value;
    return out;
  };
  const words = (ms) => {
    const p = parts(ms);
    return `${p.hour}:${p.minute}:${p.second}`;
  };
  // The export form's terms: UK local time to the minute.
  const local = (ms) => {
    const p = parts(ms);
    return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
  };

  video.controls = false;
  controls.hidden = false;
  const play = document.getElementById("play");
  const shown = document.getElementById("shown-time");
  const scrub = document.getElementById("scrub");
  const speed = document.getElementById("speed");
  const preview = document.getElementById("preview");
  const still = document.getElementById("preview-video");
  const stillTime = document.getElementById("preview-time");
  const exportLink = document.getElementById("export-range");
  const exportWords = document.getElementById("export-range-words");
  let marks = { from: null, to: null };

  const duration = () => (Number.isFinite(video.duration) ? video.duration : 0);
  const update = () => {
    play.textContent = video.paused ? "Play" : "Pause";
    const d = duration();
    shown.textContent = `${words(wall(video.currentTime))} (UK time)`;
    if (d > 0 && document.activeElement !== scrub) {
      scrub.value = String(Math.round((video.currentTime / d) * 1000));
    }
    scrub.setAttribute("aria-valuetext", shown.textContent);
  };
  for (const e of ["timeupdate", "play", "pause", "loadedmetadata", "seeked"]) {
    video.addEventListener(e, update);
  }
  play.addEventListener("click", () => (video.paused ? video.play() : video.pause()));
  const at = (value) => (Number(value) / 1000) * duration();
  scrub.addEventListener("input", () => {
    video.currentTime = at(scrub.value);
    showStill(at(scrub.value), scrub.value);
  });
  scrub.addEventListener("change", () => (preview.hidden = true));
  scrub.addEventListener("pointermove", (event) => {
    const box = scrub.getBoundingClientRect();
    const share = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
    showStill(share * duration(), share * 1000);
  });
  scrub.addEventListener("pointerleave", () => (preview.hidden = true));
  scrub.addEventListener("blur", () => (preview.hidden = true));
  // A still of where the slider points: a second, silent copy of the footage seeks there.
  function showStill(seconds, permille) {
    if (!duration()) return;
    if (!still.src) still.src = video.currentSrc || video.src;
    still.currentTime = seconds;
    stillTime.textContent = words(wall(seconds));
    preview.style.left = `${Number(permille) / 10}%`;
    preview.hidden = false;
  }
  speed.addEventListener("change", () => (video.playbackRate = Number(speed.value)));
  video.addEventListener("ratechange", () => (speed.value = String(video.playbackRate)));

  const mark = (which) => {
    if (!exportLink) return;
    marks[which] = wall(video.currentTime);
    if (marks.from !== null && marks.to !== null && marks.to < marks.from) {
      marks = { from: marks.to, to: marks.from };
    }
    const from = marks.from ?? wall(0);
    const to = marks.to ?? wall(duration());
    const url = new URL(exportLink.href);
    url.searchParams.set("from", local(from));
    // Whole minutes, reaching past the end mark.
    url.searchParams.set("to", local(Math.ceil((to + 1) / 60000) * 60000));
    exportLink.href = url.pathname + url.search;
    exportWords.textContent = `From ${words(from)} to ${words(to)} (UK time).`;
  };
  document.getElementById("mark-from")?.addEventListener("click", () => mark("from"));
  document.getElementById("mark-to")?.addEventListener("click", () => mark("to"));

  const speeds = [...speed.options].map((o) => Number(o.value));
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, select, textarea, button, a")) return;
    const step = event.shiftKey ? 60 : 5;
    switch (event.key) {
      case " ":
        if (video.paused) video.play(); else video.pause();
        break;
      case "ArrowLeft":
        video.currentTime = Math.max(0, video.currentTime - step);
        break;
      case "ArrowRight":
        video.currentTime = Math.min(duration(), video.currentTime + step);
        break;
      case "<":
      case ">": {
        const i = speeds.indexOf(video.playbackRate);
        const next = speeds[Math.min(Math.max((i < 0 ? 2 : i) + (event.key === ">" ? 1 : -1), 0), speeds.length - 1)];
        video.playbackRate = next;
        break;
      }
      case "[":
        mark("from");
        break;
      case "]":
        mark("to");
        break;
      default:
        return;
    }
    event.preventDefault();
  });
  update();
})();
