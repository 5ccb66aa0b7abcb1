// The veto list's filters: hide the rows that do not match the chosen member and decade.
// Without JavaScript the whole list shows; nothing is fetched.
"use strict";
document.querySelectorAll("form.filters").forEach(function (form) {
  var table = document.getElementById(form.dataset.table);
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  function apply() {
    var member = form.elements.member.value, decade = form.elements.decade.value, shown = 0;
    rows.forEach(function (row) {
      var ok = (!member || row.dataset.member.split(" ").indexOf(member) >= 0) &&
               (!decade || row.dataset.decade === decade);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    form.elements.shown.value = shown + " of " + rows.length + " shown";
  }
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
});
