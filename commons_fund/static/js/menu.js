// On phones, the main menu folds behind a "Menu" button (see site.css); without this
// script, the menu stays unfolded.
(function () {
  "use strict";
  var button = document.querySelector(".menu-button");
  var menu = document.getElementById("main-menu");
  if (!button || !menu) {
    return;
  }
  document.documentElement.classList.add("js-menu");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = menu.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.classList.contains("open")) {
      menu.classList.remove("open");
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
})();
