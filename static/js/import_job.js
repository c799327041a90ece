// Household import job page: polls the job status while it runs, then reloads the page.
(function () {
  "use strict";
  var box = document.getElementById("job-status");
  if (!box || box.getAttribute("data-running") !== "1") { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress-bar");
  var label = document.getElementById("job-status-label");
  var message = document.getElementById("job-message");
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.style.width = data.progress + "%";
        bar.parentNode.setAttribute("aria-valuenow", data.progress);
        label.textContent = data.status_display;
        message.textContent = data.message;
        if (data.is_running) { setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
