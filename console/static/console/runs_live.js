// The runs list: rows of runs in progress refresh themselves. Cells marked .run-live name their run
// and the row field they show; one request asks for every visible run still going, with backoff.
// Values go in as textContent only. A run that ends is dropped from the next request.
(function () {
  "use strict";

  function liveCells() { return Array.prototype.slice.call(document.querySelectorAll(".run-live[data-run]")); }

  function start() {
    var cells = liveCells();
    if (!cells.length) return;
    var url = cells[0].getAttribute("data-live-url");
    var delay = 2000, maxDelay = 20000, last = "";

    function poll() {
      var ids = {};
      liveCells().forEach(function (c) { ids[c.getAttribute("data-run")] = true; });
      var wanted = Object.keys(ids);
      if (!wanted.length) return;
      fetch(url + "?ids=" + wanted.join(","), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (data) {
          var snapshot = JSON.stringify(data);
          delay = snapshot === last ? Math.min(delay * 1.5, maxDelay) : 2000;
          last = snapshot;
          liveCells().forEach(function (cell) {
            var row = data.rows[cell.getAttribute("data-run")];
            if (!row) return;
            var field = cell.getAttribute("data-field");
            if (row[field] !== undefined) cell.textContent = row[field];
            if (field === "tool_calls") {
              var mark = cell.parentNode.querySelector(".tool-failed");
              if (row.tool_failed && !mark) {
                mark = document.createElement("strong");
                mark.className = "tool-failed";
                cell.parentNode.appendChild(document.createTextNode(" "));
                cell.parentNode.appendChild(mark);
              }
              if (mark) mark.textContent = row.tool_failed;
            }
            if (row.is_terminal) {
              cell.classList.remove("run-live");
              cell.removeAttribute("data-run");
            }
          });
          if (liveCells().length) setTimeout(poll, delay);
        })
        .catch(function () {
          delay = Math.min(delay * 2, maxDelay);
          setTimeout(poll, delay);
        });
    }
    setTimeout(poll, delay);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
