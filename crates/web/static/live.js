// Live view: each <video data-live="URL"> first shows the camera's latest recorded picture
// (data-thumbnail, when there is one), then plays the camera's fragmented MP4 stream
// through Media Source Extensions, keeping close to the live edge — it plays a little
// faster when more than half a second behind, and skips ahead when more than a second and
// a half behind — and trims what it has shown. When the
// camera cannot be watched, the tile says why and keeps the last picture, marked with its
// time.
"use strict";
for (const video of document.querySelectorAll("video[data-live]")) {
  thumbnail(video).then(() => play(video)).catch((e) => fail(video, String(e)));
}

async function thumbnail(video) {
  if (!video.dataset.thumbnail) return;
  const resp = await fetch(video.dataset.thumbnail, { credentials: "same-origin" });
  if (!resp.ok) return;
  const at = resp.headers.get("X-Custos-Picture-Time");
  const blob = await resp.blob();
  if (video.src) return;
  video.src = URL.createObjectURL(blob);
  if (at) video.dataset.pictureTime = new Date(at).toLocaleTimeString("en-GB", { timeZone: "Europe/London" });
  video.classList.add("thumbnail");
}

function fail(video, why) {
  const note = document.getElementById(video.id + "-state");
  if (note) note.textContent = why;
}

async function play(video) {
  const resp = await fetch(video.dataset.live, { credentials: "same-origin" });
  if (!resp.ok) {
    const why = (await resp.text()).replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 300);
    const shown = video.dataset.pictureTime ? ` (picture from ${video.dataset.pictureTime})` : "";
    video.closest("figure")?.classList.add("offline");
    fail(video, `offline: ${why}${shown}`);
    return;
  }
  const codec = resp.headers.get("X-Custos-Codec");
  const type = `video/mp4; codecs="${codec}"`;
  if (!window.MediaSource || !MediaSource.isTypeSupported(type)) {
    fail(video, `this browser cannot play ${codec}`);
    return;
  }
  const source = new MediaSource();
  video.classList.remove("thumbnail");
  video.src = URL.createObjectURL(source);
  await new Promise((r) => source.addEventListener("sourceopen", r, { once: true }));
  const buffer = source.addSourceBuffer(type);
  const queue = [];
  const pump = () => {
    if (buffer.updating) return;
    const b = video.buffered;
    if (b.length) {
      const end = b.end(b.length - 1);
      const behind = end - video.currentTime;
      if (behind > 1.5) video.currentTime = end - 0.2;
      video.playbackRate = behind > 0.5 ? 1.1 : 1.0;
      if (video.currentTime - b.start(0) > 30) {
        buffer.remove(b.start(0), video.currentTime - 10);
        return;
      }
    }
    if (queue.length) buffer.appendBuffer(queue.shift());
  };
  buffer.addEventListener("updateend", pump);
  const reader = resp.body.getReader();
  fail(video, "live");
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    queue.push(value);
    pump();
    if (video.paused) video.play().catch(() => {});
  }
  fail(video, "the camera's stream ended; reload the page to try again");
  // The stream also ends when the session does: let the page find out at once.
  if (window.custosCheckSession) window.custosCheckSession();
}

// The grid as an NVR's: a tile's "Enlarge" button (or its number key) shows that camera
// alone, the same again (or Esc) goes back to the grid; "Full screen" (or F) fills the
// screen with the grid. Keys are ignored while typing in a field.
(() => {
  const grid = document.getElementById("grid");
  if (!grid) return;
  const tiles = [...grid.querySelectorAll("figure.tile")];
  const buttons = [...grid.querySelectorAll("button.enlarge")];
  const enlarge = (tile) => {
    const already = tile && tile.classList.contains("enlarged");
    for (const t of tiles) t.classList.remove("enlarged");
    grid.classList.toggle("one", Boolean(tile) && !already);
    if (tile && !already) tile.classList.add("enlarged");
    for (const b of buttons) {
      const on = b.dataset.tile === tile?.id && !already;
      b.setAttribute("aria-pressed", String(on));
      b.textContent = on ? "Back to the grid" : "Enlarge";
    }
  };
  if (tiles.length > 1) {
    for (const b of buttons) {
      b.hidden = false;
      b.addEventListener("click", () => enlarge(document.getElementById(b.dataset.tile)));
    }
  }
  const full = document.getElementById("full-screen");
  const toggleFull = () => {
    if (document.fullscreenElement) document.exitFullscreen();
    else grid.requestFullscreen?.().catch(() => {});
  };
  if (full && grid.requestFullscreen) {
    full.hidden = false;
    full.addEventListener("click", toggleFull);
  }
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, select, textarea, [contenteditable]")) return;
    if (/^[1-9]$/.test(event.key) && tiles.length > 1) {
      const tile = tiles[Number(event.key) - 1];
      if (tile) {
        enlarge(tile);
        event.preventDefault();
      }
    } else if (event.key === "Escape" && grid.classList.contains("one")) {
      enlarge(null);
    } else if (event.key === "f" || event.key === "F") {
      toggleFull();
      event.preventDefault();
    }
  });
})();
