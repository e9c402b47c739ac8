// Follows an export's progress and reloads the page when it has finished or failed.
(function () {
  const me = document.currentScript;
  const url = me.dataset.status;
  const bar = document.getElementById('export-progress');
  const bytes = document.getElementById('export-bytes');
  async function poll() {
    try {
      const r = await fetch(url, { credentials: 'same-origin' });
      if (r.ok) {
        const s = await r.json();
        if (s.finished || s.failed) {
          location.reload();
          return;
        }
        if (s.total > 0) {
          bar.max = s.total;
          bar.value = s.done;
          bytes.textContent = s.done + ' of ' + s.total + ' bytes';
        }
      }
    } catch (e) {
      // A failed poll is tried again.
    }
    setTimeout(poll, 500);
  }
  poll();
})();
