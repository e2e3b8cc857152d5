// concord dashboard: the little script that pays for itself. Live reloads over SSE, the date
// slider and the silence countdown. Every page works without it.
(function () {
  "use strict";

  var main = document.getElementById("main");

  // Replaces the parts of <main> that changed with those of `html` (the same page, fetched
  // again): a part holding the focus or a half-typed field is left alone, open cells stay
  // open, and nothing else moves, so a reader loses neither their place nor their draft.
  function patch(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("main");
    if (!main || !fresh) return false;
    var open = Array.prototype.map.call(main.querySelectorAll("details[open]"), function (d) {
      var td = d.closest("td"); var tr = d.closest("tr");
      return tr && td ? tr.dataset.member + "|" + td.dataset.candidate : null;
    });
    var olds = Array.prototype.slice.call(main.children);
    var news = Array.prototype.slice.call(fresh.children);
    var same = olds.length === news.length;
    if (!same && !olds.some(function (el) { return el.dataset.part; })) {
      // A different shape and no named parts: swap all unless someone is typing.
      if (busyTyping(main)) return false;
      main.innerHTML = fresh.innerHTML;
    } else {
      olds.forEach(function (el, i) {
        // Named parts match by name, the rest by place when the shape is the same.
        var nu = el.dataset.part
          ? fresh.querySelector(':scope > [data-part="' + el.dataset.part + '"]')
          : (same ? news[i] : null);
        if (!nu || el.outerHTML === nu.outerHTML || busyTyping(el)) return;
        el.replaceWith(document.importNode(nu, true));
      });
    }
    Object.keys(fresh.dataset).forEach(function (k) {
      if (k !== "liveReady" && k !== "updated") main.dataset[k] = fresh.dataset[k];
    });
    open.forEach(function (k) {
      if (!k) return;
      var p = k.split("|");
      var d = main.querySelector('tr[data-member="' + p[0] + '"] td[data-candidate="' + p[1] + '"] details');
      if (d) d.open = true;
    });
    main.dataset.updated = String(Date.now());
    startCountdowns();
    markNew();
    return true;
  }

  // An element holds the focus or a field someone has typed into.
  function busyTyping(el) {
    var a = document.activeElement;
    if (a && a !== document.body && el.contains(a) && a.matches("input, textarea, select, [contenteditable]")) return true;
    return Array.prototype.some.call(el.querySelectorAll("textarea, input[type=text]"), function (f) {
      return f.value !== f.defaultValue;
    });
  }

  // The date slider replays the board: moving it updates the date at once, and the board
  // follows once the slider rests (no request per arrow key, and the focus stays on it).
  document.querySelectorAll("form.replay").forEach(function (form) {
    var range = form.querySelector("input[type=range]");
    var date = form.querySelector("input[type=date]");
    var out = form.querySelector("output");
    if (!range || !date) return;
    var first = new Date(form.dataset.first + "T00:00:00Z");
    var timer = null;
    function dayToDate(n) {
      var d = new Date(first.getTime() + n * 86400000);
      return d.toISOString().slice(0, 10);
    }
    function show() {
      var url = new URL(form.action, location.href);
      url.searchParams.set("as_of", date.value);
      // On the board the parts are patched in place; elsewhere the slider opens the board.
      if (!main || !main.dataset.live || url.pathname !== location.pathname) {
        form.submit();
        return;
      }
      form.dataset.loading = "1";
      fetch(url.toString(), { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          delete form.dataset.loading;
          if (html === null) return;
          history.replaceState(null, "", url.toString());
          patch(html);
          form.dataset.shown = date.value;
        })
        .catch(function () { delete form.dataset.loading; });
    }
    range.addEventListener("input", function () {
      date.value = dayToDate(Number(range.value));
      if (out) out.textContent = date.value;
      clearTimeout(timer);
      timer = setTimeout(show, 600);
    });
    // `change` fires on every arrow key in some browsers: the debounce above decides.
    form.addEventListener("submit", function (ev) {
      if (main && main.dataset.live) { ev.preventDefault(); clearTimeout(timer); show(); }
    });
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

  // "Since my last visit": the feed's newest event seen on this browser's last visit.
  function markNew() {
    if (!main || !main.dataset.contest) return;
    var key = "concord:seen:" + main.dataset.contest;
    var head = Number(main.dataset.head || 0);
    var seen = null;
    try { seen = localStorage.getItem(key); } catch (e) { return; }
    var items = main.querySelectorAll(".events li[data-seq]");
    var fresh = 0;
    if (seen !== null) {
      items.forEach(function (li) {
        if (Number(li.dataset.seq) > Number(seen)) { li.classList.add("new"); fresh += 1; }
      });
    }
    var btn = main.querySelector("#since-visit");
    var count = main.querySelector(".new-count");
    if (btn && seen !== null) {
      btn.hidden = false;
      btn.onclick = function () {
        var list = main.querySelector(".events");
        if (list) list.classList.toggle("only-new");
        btn.setAttribute("aria-pressed", list && list.classList.contains("only-new") ? "true" : "false");
      };
    }
    if (count) count.textContent = seen === null ? "" : fresh + " new since your last visit";
    try { localStorage.setItem(key, String(head)); } catch (e) { /* private mode */ }
  }
  markNew();

  // Live: when the contest's log grows, fetch this page again and patch what changed. The
  // server folds it with the reader's own view, so nothing reaches a role that may not see it.
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
          if (html) patch(html);
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
