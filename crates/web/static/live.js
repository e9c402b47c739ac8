// Live view: each <video data-live="URL"> plays the camera's fragmented MP4 stream through
// Media Source Extensions, keeping close to the live edge (it skips ahead when it falls
// more than a second and a half behind) and trimming what it has shown.
"use strict";
for (const video of document.querySelectorAll("video[data-live]")) {
  play(video).catch((e) => fail(video, String(e)));
}

function fail(video, why) {
  const note = document.getElementById(video.id + "-state");
  if (note) note.textContent = why;
}

async function play(video) {
  const resp = await fetch(video.dataset.live, { credentials: "same-origin" });
  if (!resp.ok) {
    fail(video, (await resp.text()).replace(/<[^>]*>/g, " ").trim().slice(0, 300));
    return;
  }
  const codec = resp.headers.get("X-Custos-Codec");
  const type = `video/mp4; codecs="${codec}"`;
  if (!window.MediaSource || !MediaSource.isTypeSupported(type)) {
    fail(video, `this browser cannot play ${codec}`);
    return;
  }
  const source = new MediaSource();
  video.src = URL.createObjectURL(source);
  await new Promise((r) => source.addEventListener("sourceopen", r, { once: true }));
  const buffer = source.addSourceBuffer(type);
  const queue = [];
  const pump = () => {
    if (buffer.updating) return;
    const b = video.buffered;
    if (b.length) {
      const end = b.end(b.length - 1);
      if (end - video.currentTime > 1.5) video.currentTime = end - 0.2;
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
}
