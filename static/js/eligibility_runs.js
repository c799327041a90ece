// Recompute runs list: polls the status of the runs still queued or running and updates their rows.
// The script tag carries data-status-url; the run ids are in the json_script element "active-runs".
(function () {
  "use strict";
  var script = document.currentScript;
  var source = document.getElementById("active-runs");
  if (!script || !source) { return; }
  var ids = JSON.parse(source.textContent);
  if (!ids.length) { return; }
  var url = script.dataset.statusUrl + "?ids=" + ids.join(",");
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      var running = false;
      data.runs.forEach(function (run) {
        var row = document.querySelector('tr[data-run="' + run.id + '"]');
        if (!row) { return; }
        row.querySelector(".js-status").textContent = run.status_label;
        row.querySelector(".js-bar").style.width = run.progress + "%";
        row.querySelector(".progress").setAttribute("aria-valuenow", run.progress);
        row.querySelector(".js-progress").textContent = run.evaluated + "/" + run.total;
        row.querySelector(".js-total").textContent = run.total;
        row.querySelector(".js-changed").textContent = run.changed;
        row.querySelector(".js-passed").textContent = run.passed;
        row.querySelector(".js-failed").textContent = run.failed;
        row.querySelector(".js-unknown").textContent = run.unknown;
        if (run.duration_seconds !== null) { row.querySelector(".js-duration").textContent = run.duration_seconds.toFixed(1); }
        if (run.status === "queued" || run.status === "running") { running = true; }
      });
      if (running) { setTimeout(poll, 2000); }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
