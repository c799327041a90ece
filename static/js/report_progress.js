// Report page while the PDF is generated: polls the status and reloads the page when it is done.
(function () {
  "use strict";
  var card = document.getElementById("progress-card");
  if (!card) { return; }
  var bar = document.getElementById("progress-bar"), text = document.getElementById("progress-message");
  function poll() {
    fetch(card.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        bar.style.width = data.progress + "%";
        card.querySelector(".progress").setAttribute("aria-valuenow", data.progress);
        text.textContent = (data.message || data.status_label) + "（" + data.progress + "%）";
        if (data.status === "queued" || data.status === "generating") { setTimeout(poll, 1000); }
        else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 800);
})();
