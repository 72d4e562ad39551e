// Behaviour every page shares, bound from data- attributes: the Content-Security-Policy allows no
// inline script (no onclick=…) and no style attributes, so these live here (decision 0041).
//   data-zc-toggle="#id"      a button toggles the class "show" on #id (the phone's side menu)
//   data-zc-confirm="…"       a form asks before it is submitted
//   data-zc-autosubmit        a select submits its form when changed
//   data-zc-print             a button prints the page
//   data-zc-width="42"        an element's width in percent (progress bars)
//   data-zc-locate            a form reads the phone's position once when submitted, into its inputs
//                             named latitude and longitude, then submits (a random presence check);
//                             its [data-zc-locate-status] element tells the cadre what happens
(function () {
  "use strict";

  function applyWidths(root) {
    if (!root || !root.querySelectorAll) return;
    var found = Array.prototype.slice.call(root.querySelectorAll("[data-zc-width]"));
    if (root.matches && root.matches("[data-zc-width]")) found.push(root);
    found.forEach(function (el) {
      var value = parseFloat(el.getAttribute("data-zc-width"));
      if (!isNaN(value)) el.style.width = Math.max(0, Math.min(100, value)) + "%";
    });
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-zc-toggle]");
    if (toggle) {
      var target = document.querySelector(toggle.getAttribute("data-zc-toggle"));
      if (target) {
        var shown = target.classList.toggle("show");
        toggle.setAttribute("aria-expanded", shown ? "true" : "false");
      }
      return;
    }
    if (event.target.closest("[data-zc-print]")) window.print();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-zc-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    if (form.hasAttribute && form.hasAttribute("data-zc-locate")) locateThenSubmit(form, event);
  });

  // The position is read once, at the tap, and only sent with this form: no tracking.
  function locateThenSubmit(form, event) {
    var lat = form.querySelector("input[name=latitude]");
    var lon = form.querySelector("input[name=longitude]");
    if (!lat || !lon || (lat.value && lon.value)) return; // already read: let the form go
    event.preventDefault();
    var status = form.querySelector("[data-zc-locate-status]");
    var button = form.querySelector("button[type=submit], button:not([type])");
    function say(text) { if (status) status.textContent = text; }
    if (!navigator.geolocation) { say("手机浏览器不支持定位，无法确认。"); return; }
    if (button) button.disabled = true;
    say("正在获取位置…");
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude;
      lon.value = position.coords.longitude;
      say("正在提交…");
      form.submit();
    }, function () {
      if (button) button.disabled = false;
      say("无法获取位置：请在手机设置中允许浏览器使用定位后重试。");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
  }

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.hasAttribute && select.hasAttribute("data-zc-autosubmit") && select.form) select.form.submit();
  });

  applyWidths(document);
  // Content swapped in by htmx (e.g. the export's progress bar polling) gets its widths too.
  document.addEventListener("htmx:load", function (event) { applyWidths(event.detail && event.detail.elt); });
})();
