// Forms with an error summary (the design system's pattern, as on GOV.UK): the summary
// takes the focus when the page opens, so a screen reader reads the problems first; a
// link in it moves the focus to its field (not only the page's scroll position) and
// shows the field's label or question above it.
"use strict";
(() => {
  const summary = document.querySelector(".error-summary");
  if (!summary) return;
  if (document.activeElement === document.body) summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    if (!link) return;
    const field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    const legend = field.closest("fieldset")?.querySelector("legend");
    const label = document.querySelector(`label[for='${field.id}']`) || legend;
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
