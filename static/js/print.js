// A "print" button without inline script (CSP): any element with the class zc-print prints the page.
(function () {
  "use strict";
  document.querySelectorAll(".zc-print").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
