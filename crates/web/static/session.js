// Signed-in pages end what they show when their session ends or locks elsewhere: signed
// out in another tab or on another computer ("sign out everywhere"), the account disabled,
// or the screen locked after the idle limit. Every few seconds the page asks the server
// (which does not count the question as the person's activity, so an unattended screen
// still locks); when the session is no longer live, every video is stopped and emptied —
// not just covered — and the page reloads, so the lock screen or the sign-in page takes
// its place.
"use strict";
(() => {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    for (const video of document.querySelectorAll("video")) {
      video.pause();
      video.removeAttribute("src");
      video.load();
    }
    location.reload();
  };
  const check = async () => {
    try {
      const resp = await fetch("/session/state", { credentials: "same-origin", cache: "no-store" });
      const { state } = await resp.json();
      if (state !== "live") end();
    } catch (e) {
      // The server may be restarting; ask again next time.
    }
  };
  window.custosCheckSession = check;
  setInterval(check, 3000);
})();
