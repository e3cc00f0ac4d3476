// On phones, the main menu and the account's links fold behind a "Menu" button (see
// site.css); without this script, they stay unfolded.
(function () {
  "use strict";
  var button = document.querySelector(".menu-button");
  if (!button) {
    return;
  }
  var menus = button.getAttribute("aria-controls").split(" ").map(function (id) {
    return document.getElementById(id);
  }).filter(Boolean);
  if (!menus.length) {
    return;
  }
  function fold(open) {
    menus.forEach(function (menu) { menu.classList.toggle("open", open); });
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  document.documentElement.classList.add("js-menu");
  button.hidden = false;
  button.addEventListener("click", function () {
    fold(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      fold(false);
      button.focus();
    }
  });
})();
