// Team ledger (county keeper): a reversal asks for its reason, then posts it. No inline script (CSP).
(function () {
  "use strict";
  var form = document.getElementById("reverse-form");
  if (!form) return;
  document.querySelectorAll(".zc-reverse").forEach(function (button) {
    button.addEventListener("click", function () {
      var reason = window.prompt("冲销“" + button.dataset.label + "”的原因：");
      if (reason === null) return;
      if (!reason.trim()) { window.alert("请填写冲销原因。"); return; }
      form.action = button.dataset.url;
      form.elements.reason.value = reason.trim();
      form.submit();
    });
  });
})();
