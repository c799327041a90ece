// Small page behaviours declared in the markup, so templates need no inline handlers (the CSP forbids them):
//   <button data-print>            prints the page
//   <select data-autosubmit>       submits its form when the choice changes
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print]") : null;
    if (target) { event.preventDefault(); window.print(); }
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-autosubmit]") && target.form) { target.form.submit(); }
  });
})();
