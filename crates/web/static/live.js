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
