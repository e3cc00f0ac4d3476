// The nomination field of a round with many commons: as one types, the commons that may be
// nominated and match are offered (at most 20, from the round's `nominable/` address).
// Without JavaScript, typing the commons' exact name or address works the same.
(function () {
  "use strict";
  var field = document.querySelector("input[data-search-url]");
  var list = document.getElementById("nominable-commons");
  if (!field || !list) {
    return;
  }
  var timer = null;
  var asked = "";
  function suggest() {
    var text = field.value.trim();
    if (text.length < 2 || text === asked) {
      return;
    }
    asked = text;
    fetch(field.dataset.searchUrl + "?q=" + encodeURIComponent(text), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (data) {
        list.replaceChildren();
        data.results.forEach(function (commons) {
          var option = document.createElement("option");
          option.value = commons.name;
          option.label = commons.slug;
          list.appendChild(option);
        });
      })
      .catch(function () {
        list.replaceChildren();
      });
  }
  field.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, 200);
  });
})();
