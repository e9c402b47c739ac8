// The staff pages' header on a phone: the navigation and the account buttons fold behind
// one "Menu" button, so that the page itself starts on the first screen. Without this
// script (or on a wider screen) everything stays shown.
"use strict";
(() => {
  const bar = document.querySelector(".app-bar");
  const menu = document.getElementById("app-menu");
  if (!bar || !menu) return;
  const narrow = window.matchMedia("(max-width: 40rem)");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button small secondary app-menu-button";
  button.textContent = "Menu";
  button.setAttribute("aria-controls", "app-menu");
  const show = (open) => {
    button.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("folded", !open);
  };
  button.addEventListener("click", () => show(menu.classList.contains("folded")));
  const fit = () => {
    if (narrow.matches) {
      if (!button.isConnected) bar.append(button);
      show(false);
    } else {
      button.remove();
      menu.classList.remove("folded");
    }
  };
  narrow.addEventListener("change", fit);
  fit();
})();
