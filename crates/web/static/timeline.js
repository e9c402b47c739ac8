// The review timeline: a day's recorded spans and gaps, and the range to review, which
// mouse and keyboard move and which is written into the form's From and To fields (UK
// time). The form stays the source of truth: typing in the fields moves the range too.
"use strict";
(function () {
  const bar = document.getElementById("timeline");
  const sel = document.getElementById("selection");
  const fromField = document.getElementById("from");
  const toField = document.getElementById("to");
  if (!bar || !sel || !fromField || !toField) return;
  const MIN = 60000;
  const dayStart = Number(bar.dataset.dayStart);
  const dayMinutes = Number(bar.dataset.dayMinutes);
  const dayEnd = dayStart + dayMinutes * MIN;
  let from = Number(bar.dataset.from);
  let to = Number(bar.dataset.to);
  const spans = [...bar.querySelectorAll("rect.rec")].map((r) => [
    dayStart + Number(r.getAttribute("x")) * MIN,
    dayStart + (Number(r.getAttribute("x")) + Number(r.getAttribute("width"))) * MIN,
  ]);

  // UK local time as YYYY-MM-DDTHH:MM, what a datetime-local field holds.
  const parts = (ms) =>
    Object.fromEntries(
      new Intl.DateTimeFormat("en-GB", {
        timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const local = (ms) => {
    const p = parts(ms);
    return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
  };
  // The instant a UK local time names (the later one, when clocks go back).
  const instant = (text) => {
    const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(text);
    if (!m) return NaN;
    const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
    for (const guess of [asUtc - 60 * MIN, asUtc]) {
      if (local(guess) === text.slice(0, 16)) return guess;
    }
    return asUtc;
  };

  const draw = () => {
    const x = Math.max(0, (from - dayStart) / MIN);
    const w = Math.max(1, (Math.min(to, dayEnd) - Math.max(from, dayStart)) / MIN);
    sel.setAttribute("x", x);
    sel.setAttribute("width", w);
    bar.setAttribute("aria-valuenow", Math.round(x));
    bar.setAttribute("aria-valuetext", `from ${local(from).replace("T", " ")} to ${local(to).replace("T", " ")}`);
  };
  const set = (a, b, write = true) => {
    const len = Math.max(MIN, b - a);
    a = Math.min(Math.max(a, dayStart), dayEnd - MIN);
    from = a;
    to = Math.min(a + len, dayEnd);
    if (write) {
      fromField.value = local(from);
      toField.value = local(to);
    }
    draw();
  };

  bar.addEventListener("keydown", (e) => {
    // Shift makes the arrows move 15 minutes; + and − (Shift on many keyboards) are always
    // a minute.
    const step = (e.shiftKey && e.key.startsWith("Arrow") ? 15 : 1) * MIN;
    const len = to - from;
    switch (e.key) {
      case "ArrowLeft": set(from - step, to - step); break;
      case "ArrowRight": set(from + step, to + step); break;
      case "+": case "=": set(from, to + step); break;
      case "-": case "_": if (len > step) set(from, to - step); break;
      case "Home": if (spans.length) set(spans[0][0], spans[0][0] + len); break;
      case "End": if (spans.length) set(spans[spans.length - 1][1] - len, spans[spans.length - 1][1]); break;
      default: return;
    }
    e.preventDefault();
  });
  bar.addEventListener("click", (e) => {
    const box = bar.getBoundingClientRect();
    const at = dayStart + Math.round(((e.clientX - box.left) / box.width) * dayMinutes) * MIN;
    set(at, at + (to - from));
    bar.focus();
  });
  for (const field of [fromField, toField]) {
    field.addEventListener("change", () => {
      const a = instant(fromField.value);
      const b = instant(toField.value);
      if (!Number.isNaN(a) && !Number.isNaN(b) && b > a) set(a, b, false);
    });
  }
  draw();
})();
