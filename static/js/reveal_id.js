// Household card: a "reveal" button posts to its data-url (audited on the server) and shows the full ID number.
// The CSRF token comes from the page's form field: the CSRF cookie is HttpOnly.
(function () {
  "use strict";
  document.querySelectorAll("button.reveal").forEach(function (button) {
    button.addEventListener("click", function () {
      var token = document.querySelector("input[name=csrfmiddlewaretoken]");
      fetch(button.dataset.url, {method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": token ? token.value : ""}})
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (data) { button.closest("tr").querySelector(".id-number").textContent = data.id_number; button.remove(); })
        .catch(function () { alert("无法查看完整身份证号"); });
    });
  });
})();
