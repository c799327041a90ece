// Masked phone numbers and complainant contacts: a button.reveal-field posts to its data-url (each reveal is
// audited on the server) and writes the returned fields into the elements named by data-targets
// ("field:selector,field:selector") inside its [data-reveal-scope] container.
// The CSRF token comes from the page's form field: the CSRF cookie is HttpOnly.
(function () {
  "use strict";
  document.querySelectorAll("button.reveal-field").forEach(function (button) {
    button.addEventListener("click", function () {
      var token = document.querySelector("input[name=csrfmiddlewaretoken]");
      var scope = button.closest("[data-reveal-scope]") || document;
      fetch(button.dataset.url, {method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": token ? token.value : ""}})
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (data) {
          button.dataset.targets.split(",").forEach(function (pair) {
            var parts = pair.split(":");
            var target = scope.querySelector(parts[1]);
            if (target && data[parts[0]] !== undefined) { target.textContent = data[parts[0]] || "—"; }
          });
          button.remove();
        })
        .catch(function () { alert("无法查看完整信息"); });
    });
  });
})();
