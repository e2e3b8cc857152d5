// concord dashboard: the little script that pays for itself. Live reloads over SSE, the date
// slider and the silence countdown. Every page works without it.
(function () {
  "use strict";

  // The date slider replays the board: moving it updates the date, releasing it navigates.
  document.querySelectorAll("form.replay").forEach(function (form) {
    var range = form.querySelector("input[type=range]");
    var date = form.querySelector("input[type=date]");
    var out = form.querySelector("output");
    if (!range || !date) return;
    var first = new Date(form.dataset.first + "T00:00:00Z");
    function dayToDate(n) {
      var d = new Date(first.getTime() + n * 86400000);
      return d.toISOString().slice(0, 10);
    }
    range.addEventListener("input", function () {
      date.value = dayToDate(Number(range.value));
      if (out) out.textContent = date.value;
    });
    range.addEventListener("change", function () { form.submit(); });
  });

  // An import form's file picker reads the file into its text box, to be checked and sent
  // as text: one way in for pasted and picked files alike.
  document.querySelectorAll("input[type=file][data-into]").forEach(function (input) {
    input.addEventListener("change", function () {
      var target = document.getElementById(input.dataset.into);
      var file = input.files && input.files[0];
      if (!target || !file) return;
      file.text().then(function (text) { target.value = text; });
    });
  });

  // Live: when the contest's log grows, fetch this page again and swap <main>. The server
  // folds it with the reader's own view, so nothing reaches a role that may not see it.
  var main = document.getElementById("main");
  var url = main && main.dataset.live;
  if (url && window.EventSource) {
    var busy = false;
    var refresh = function () {
      if (busy) return;
      busy = true;
      fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          busy = false;
          if (!html) return;
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("main");
          if (!fresh) return;
          // Keep open cells open and typed statements typed across the swap.
          var open = Array.prototype.map.call(main.querySelectorAll("details[open]"), function (d) {
            var td = d.closest("td"); var tr = d.closest("tr");
            return tr && td ? tr.dataset.member + "|" + td.dataset.candidate : null;
          });
          if (main.querySelector("textarea:focus")) return;
          main.innerHTML = fresh.innerHTML;
          open.forEach(function (k) {
            if (!k) return;
            var p = k.split("|");
            var d = main.querySelector('tr[data-member="' + p[0] + '"] td[data-candidate="' + p[1] + '"] details');
            if (d) d.open = true;
          });
          main.dataset.updated = String(Date.now());
          startCountdowns();
        })
        .catch(function () { busy = false; });
    };
    var es = new EventSource(url);
    es.addEventListener("changed", refresh);
    es.addEventListener("open", function () { main.dataset.liveReady = "1"; });
  }

  // The silence countdown in words, ticking from the server's clock (not the visitor's). At
  // the deadline it says the outcome is coming: the live stream brings it within a second.
  var ticker = null;
  function plural(n, one) { return n + " " + one + (n === 1 ? "" : "s"); }
  function inWords(left) {
    var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60);
    if (d) return plural(d, "day") + (h ? " " + plural(h, "hour") : "") + " left";
    if (h) return plural(h, "hour") + (m ? " " + plural(m, "minute") : "") + " left";
    if (m) return plural(m, "minute") + " left";
    return "less than a minute left";
  }
  function startCountdowns() {
    if (ticker) clearInterval(ticker);
    var items = document.querySelectorAll(".countdown");
    if (!items.length) return;
    var started = Date.now();
    ticker = setInterval(function () {
      items.forEach(function (el) {
        var left = Number(el.dataset.deadline) - Number(el.dataset.now) - Math.floor((Date.now() - started) / 1000);
        var text = left <= 0 ? "deadline reached: the outcome follows" : inWords(left);
        if (el.textContent !== text) el.textContent = text;
      });
    }, 1000);
  }
  startCountdowns();
})();
