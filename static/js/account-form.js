// The new-account form (templates/accounts/account_form.html): picking a search result fills the
// hidden scope input and shows what was chosen; changing the role clears the choice and the results.
(function () {
  "use strict";
  var form = document.querySelector("[data-zc-account-form]");
  if (!form) return;
  var value = form.querySelector("[data-zc-scope-value]");
  var chosen = form.querySelector("[data-zc-scope-chosen]");
  var label = form.querySelector("[data-zc-scope-label]");
  var search = form.querySelector("#id_scope_search");
  var results = form.querySelector("#scope-choices");

  function choose(scope, text) {
    value.value = scope;
    label.textContent = text;
    chosen.classList.toggle("d-none", !scope);
  }

  form.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-zc-scope-pick]");
    if (pick) {
      choose(pick.getAttribute("data-zc-scope-pick"), pick.getAttribute("data-zc-scope-text"));
      results.innerHTML = "";
      return;
    }
    if (event.target.closest("[data-zc-scope-clear]")) {
      choose("", "");
      search.focus();
    }
  });

  form.querySelector("#id_role").addEventListener("change", function () {
    choose("", "");
    results.innerHTML = "";
    if (search.value) search.dispatchEvent(new Event("search"));
  });

  // Enter in the search box searches; it must not submit the form half filled.
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); search.dispatchEvent(new Event("search")); }
  });
})();
