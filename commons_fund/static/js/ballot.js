// Ballot helpers: the credits left in quadratic voting. The server checks again.
(function () {
  "use strict";
  var form = document.querySelector("form.ballot[data-credits]");
  if (!form) { return; }
  var credits = parseInt(form.getAttribute("data-credits"), 10);
  var output = form.querySelector("output.credits");
  var inputs = form.querySelectorAll("input[data-quadratic]");
  var button = form.querySelector("button[type=submit]");
  function update() {
    var spent = 0;
    inputs.forEach(function (input) {
      var votes = parseInt(input.value || "0", 10) || 0;
      spent += votes * votes;
    });
    var left = credits - spent;
    output.textContent = (document.documentElement.lang === "fr" ? "Crédits restants : " : "Credits left: ") + left;
    output.classList.toggle("over", left < 0);
    button.disabled = left < 0;
  }
  inputs.forEach(function (input) { input.addEventListener("input", update); });
  update();
}());
