// The window's outcome form: show only the fields the chosen outcome needs. Without the script every group
// shows, labelled with its outcome, and the form works the same.
(function () {
  "use strict";
  var form = document.getElementById("finish-form");
  if (!form) { return; }
  var select = document.getElementById("outcome");
  function sync() {
    form.querySelectorAll("[data-outcomes]").forEach(function (el) {
      el.hidden = el.dataset.outcomes.split(" ").indexOf(select.value) < 0;
    });
  }
  select.addEventListener("change", sync);
  sync();
}());
