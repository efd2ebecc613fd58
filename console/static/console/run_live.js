// A run in progress updates its own page: poll the run's read-only JSON with backoff and
// rebuild status, tool calls and answer. Everything from the server goes in as textContent:
// nothing a model, a record or a website wrote can become markup here.
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function setText(id, text) {
    var node = document.getElementById(id);
    if (node) node.textContent = text;
  }

  function renderCall(call, openIds) {
    var d = el("details", {"class": "tool-call status-" + call.status, "data-call": call.id});
    if (openIds[call.id]) d.open = true;
    var s = el("summary");
    s.appendChild(el("code", {}, call.name));
    s.appendChild(document.createTextNode(" · "));
    s.appendChild(el("span", {"class": "call-status"}, call.status_label));
    s.appendChild(document.createTextNode(" · "));
    s.appendChild(el("span", {"class": "call-duration"}, call.duration));
    d.appendChild(s);
    d.appendChild(el("h4", {}, "Arguments"));
    d.appendChild(el("pre", {}, call.arguments));
    // Each error once: a failed call's output is its error as the model was told it.
    if (call.error) {
      d.appendChild(el("h4", {}, "Error (as the model was told it)"));
      d.appendChild(el("pre", {"class": "call-error"}, call.error));
    }
    if (!call.output_is_error) {
      d.appendChild(el("h4", {}, "Output (" + call.output_chars + " characters)"));
      d.appendChild(el("pre", {"class": "call-output"}, call.output));
    }
    return d;
  }

  function renderTurns(data) {
    var list = document.getElementById("run-turns");
    if (!list) return;
    var openIds = {};
    list.querySelectorAll("details[open]").forEach(function (d) { openIds[d.getAttribute("data-call")] = true; });
    var fresh = document.createDocumentFragment();
    data.turns.forEach(function (turn) {
      var li = el("li", {"class": "turn", "data-turn": turn.number});
      var h = el("h3", {}, "Turn " + turn.number + " ");
      if (turn.response_id) h.appendChild(el("span", {"class": "console-muted"}, turn.response_id));
      if (turn.tool_time) h.appendChild(el("span", {"class": "console-muted turn-time"}, " · tools took " + turn.tool_time));
      if (turn.failed_calls) h.appendChild(el("span", {"class": "console-error-inline"}, " · " + turn.failed_calls + " failed"));
      li.appendChild(h);
      var u = turn.usage;
      if (u) {
        var p = el("p", {"class": "turn-usage"}, "Model took ");
        p.appendChild(el("span", {"class": "turn-model-time"}, u.time));
        p.appendChild(document.createTextNode(" · "));
        p.appendChild(el("span", {"class": "turn-tokens"}, u.input + " in (" + u.cached + " cached) · " + u.output + " out"));
        p.appendChild(document.createTextNode(" · "));
        p.appendChild(el("span", {"class": "turn-cost"}, u.cost));
        if (u.tiers) p.appendChild(document.createTextNode(" · " + u.tiers + " tier"));
        if (u.responses > 1) p.appendChild(document.createTextNode(" · " + u.responses + " responses (OpenAI failed it and it was created again)"));
        li.appendChild(p);
      } else if (data.turn_usage_recorded && !turn.in_flight) {
        li.appendChild(el("p", {"class": "turn-usage console-muted"}, "No usage was recorded for this turn (its response did not end in a way that reports it)."));
      }
      if (turn.final) li.appendChild(el("p", {"class": "turn-end"}, "The model answered (see Answer above)."));
      else if (turn.ended) li.appendChild(el("p", {"class": "turn-end"}, "The run ended here: " + turn.ended + "."));
      else if (turn.in_flight && !turn.tool_calls.length) li.appendChild(el("p", {"class": "console-muted"}, "Waiting for the model…"));
      turn.tool_calls.forEach(function (call) { li.appendChild(renderCall(call, openIds)); });
      fresh.appendChild(li);
    });
    list.replaceChildren(fresh);
  }

  function render(data) {
    var status = document.getElementById("run-status");
    if (status) {
      status.textContent = data.status_label;
      status.className = "status status-" + data.status;
    }
    // The page's heading and title follow the status too (they used to keep the one it loaded with).
    document.querySelectorAll(".run-heading-status").forEach(function (n) { n.textContent = data.status_label; });
    var errors = document.getElementById("run-errors");
    if (errors) {
      errors.replaceChildren();
      data.errors.forEach(function (e) {
        var box = el("div", {"class": "console-error"});
        box.appendChild(el("strong", {}, e.label));
        box.appendChild(document.createTextNode(": "));
        box.appendChild(el("span", {"class": "pre"}, e.text));
        errors.appendChild(box);
      });
    }
    var answer = document.getElementById("run-answer");
    if (answer && (data.answer.assessment || data.answer.text)) {
      answer.hidden = false;
      setText("run-assessment", data.answer.assessment);
      var reasoning = document.getElementById("run-reasoning");
      // Plain text until the next full page load renders the safe Markdown subset.
      if (reasoning) reasoning.replaceChildren(el("p", {"class": "pre"}, data.answer.reasoning || data.answer.text));
    }
    setText("run-finished", data.finished_at);
    setText("run-duration", data.duration);
    setText("run-cost", data.cost);
    setText("run-credits", data.pitchbook_credits);
    var t = data.tokens;
    setText("run-tokens", t.input + " in (" + t.cached + " cached) · " + t.output + " out (" + t.reasoning + " reasoning)");
    renderTurns(data);
    setText("run-live-note", data.is_terminal ? "" : "updating live…");
  }

  function start() {
    var root = document.getElementById("run-timeline");
    if (!root || root.getAttribute("data-terminal") === "1") return;
    var url = root.getAttribute("data-live-url");
    var delay = 1000, maxDelay = 15000, last = "";
    function poll() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (data) {
          var snapshot = JSON.stringify(data);
          // Something moved: look again soon; nothing did: wait longer each time.
          delay = snapshot === last ? Math.min(delay * 1.5, maxDelay) : 1000;
          last = snapshot;
          render(data);
          if (data.is_terminal) {
            root.setAttribute("data-terminal", "1");
            return;
          }
          setTimeout(poll, delay);
        })
        .catch(function () {
          delay = Math.min(delay * 2, maxDelay);
          setText("run-live-note", "connection lost, retrying…");
          setTimeout(poll, delay);
        });
    }
    setTimeout(poll, delay);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
