/* The till when the network drops. Purchases, stamps, and the vouchers and rewards the page
   last knew of are kept in IndexedDB (idb-keyval) with a fresh nonce and the time they
   happened, listed as waiting, and sent when the connection is back: on the `online` event,
   on focus and on a timer (iOS has no Background Sync). The server applies each once (the
   nonce) at its original time; what it refuses is listed as a conflict until staff mark it
   handled, never dropped. Members shown on this till are remembered (30, for 12 hours) so
   that they can be found offline; others only by member number. A service worker
   (/kasse/sw.js) keeps the page itself, so a reload offline still opens the till. */
(function () {
  "use strict";
  var idb = window.idbKeyval;
  var texts = JSON.parse(document.getElementById("offline-texts").textContent);
  var QUEUE = "till-queue", PANELS = "till-panels", KEEP = 30, HOURS = 12;
  var OFFLINE_KINDS = ["kjop", "stempel", "kupong", "belonning"];
  var NUMBER = /^[2-9A-HJKMNP-Z]{8}$/;
  var banner = document.getElementById("offline-banner");
  var box = document.getElementById("offline-queue");
  var list = document.getElementById("offline-queue-list");
  var panelBox = document.getElementById("panel");
  var syncing = false, networkFailed = false;
  if (!idb || !banner) return;

  function uuid() {  // crypto.randomUUID needs HTTPS; getRandomValues does not
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }
  function offline() { return !navigator.onLine || networkFailed; }
  function queue() { return idb.get(QUEUE).then(function (q) { return q || []; }); }
  function change(edit) {
    return idb.update(QUEUE, function (q) { return edit(q || []); }).then(queue).then(show);
  }
  function say(message, kind) {
    var note = document.createElement("div");
    note.className = "alert counter-feedback alert-" + (kind || "danger");
    note.setAttribute("role", kind === "info" ? "status" : "alert");
    note.textContent = message;
    var panel = document.getElementById("member-panel");
    var old = panelBox.querySelector(".offline-note");
    if (old) old.remove();
    note.classList.add("offline-note");
    (panel || panelBox).prepend(note);
  }

  // --- What waits, shown above the panel
  function show(q) {
    banner.hidden = !offline();
    box.hidden = q.length === 0;
    list.replaceChildren();
    q.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "counter-queued " + (item.status === "conflict" ? "text-danger" : "");
      li.dataset.status = item.status;
      var when = new Date(item.happened_at).toLocaleTimeString(document.documentElement.lang, {
        hour: "2-digit", minute: "2-digit",
      });
      var status = item.status === "conflict" ? texts.conflict + ": " + item.message : texts.waiting;
      li.textContent = when + " · " + item.name + " · " + item.label + " — " + status + " ";
      if (item.status === "conflict") {
        var done = document.createElement("button");
        done.type = "button";
        done.className = "btn btn-sm btn-outline-dark";
        done.textContent = texts.handled;
        done.addEventListener("click", function () {
          change(function (all) { return all.filter(function (i) { return i.nonce !== item.nonce; }); });
        });
        li.appendChild(done);
      }
      list.appendChild(li);
    });
  }

  // --- Taking an action offline
  function ore(text) {
    var m = /(\d+)(?:[.,](\d{1,2}))?/.exec(String(text).replace(/\s/g, ""));
    return m ? parseInt(m[1], 10) * 100 + parseInt(((m[2] || "0") + "0").slice(0, 2), 10) : 0;
  }
  function keep(form, panel, nonce) {
    var kind = form.dataset.action;
    if (OFFLINE_KINDS.indexOf(kind) < 0) return say(texts.needs_network);
    var number = panel.dataset.member;
    var fields = new FormData(form);
    fields.delete("csrfmiddlewaretoken");
    var item = {
      nonce: nonce || uuid(), number: number, kind: kind, status: "waiting",
      name: (panel.querySelector("#member-name") || {}).textContent.trim() || number,
      url: texts.action.replace("NUMBER", encodeURIComponent(number)).replace("ACTION", kind),
      happened_at: new Date().toISOString(), label: texts.kinds[kind] + " " + (form.dataset.label || ""),
    };
    return queue().then(function (q) {
      var mine = q.filter(function (i) { return i.number === number && i.status === "waiting"; });
      if (kind === "kjop") {
        var amount = fields.get("amount");
        var above = parseInt(form.dataset.confirmAbove || "0", 10);
        if (above && ore(amount) > above && !window.confirm(texts.confirm.replace("%(amount)s", amount))) return;
        fields.set("confirmed", "1");
        item.label = texts.kinds.kjop + " kr " + amount;
      } else if (kind === "kupong") {
        item.code = (form.dataset.code || fields.get("code") || "").toUpperCase().replace(/[\s-]/g, "");
        var listed = panel.querySelector('[data-action="kupong"][data-code="' + CSS.escape(item.code) + '"]');
        if (!listed) return say(texts.voucher_unknown);
        if (mine.some(function (i) { return i.code === item.code; })) return say(texts.voucher_unknown);
        item.label = texts.kinds.kupong + " " + listed.dataset.label;
      } else if (kind === "belonning") {
        item.cost = parseInt(form.dataset.cost || "0", 10);
        var known = parseInt((panel.querySelector("#balance") || {}).textContent || "0", 10);
        var spent = mine.reduce(function (sum, i) { return sum + (i.cost || 0); }, 0);
        if (item.cost > known - spent) return say(texts.not_enough);
      }
      fields.set("nonce", item.nonce);
      fields.set("happened_at", item.happened_at);
      item.fields = Array.from(fields.entries());
      return change(function (all) { return all.concat([item]); }).then(function () {
        // The next action on this panel is another one: it gets its own nonce.
        panel.querySelectorAll('input[name="nonce"]').forEach(function (input) { input.value = uuid(); });
        if (kind === "kjop") form.reset();
        if (kind === "kupong" && listed) listed.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        say(item.label + " — " + texts.waiting, "info");
      });
    });
  }

  // --- Finding a member offline
  function remember() {
    var panel = document.getElementById("member-panel");
    if (!panel || panel.dataset.offline || !panel.dataset.member) return;
    var html = panel.outerHTML, number = panel.dataset.member;
    idb.update(PANELS, function (all) {
      all = all || {};
      all[number] = { html: html, at: Date.now() };
      var fresh = Object.keys(all).filter(function (n) { return Date.now() - all[n].at < HOURS * 3600e3; });
      fresh.sort(function (a, b) { return all[b].at - all[a].at; });
      var kept = {};
      fresh.slice(0, KEEP).forEach(function (n) { kept[n] = all[n]; });
      return kept;
    });
  }
  function find(raw) {
    var number = String(raw).toUpperCase().replace(/[\s-]/g, "");
    return idb.get(PANELS).then(function (all) {
      var known = (all || {})[number];
      if (known && Date.now() - known.at < HOURS * 3600e3) {
        panelBox.innerHTML = known.html;
        document.getElementById("member-panel").dataset.offline = "1";
        return say(texts.remembered, "warning");
      }
      if (!NUMBER.test(number)) return say(texts.unknown_member);
      panelBox.replaceChildren(document.getElementById("offline-member").content.cloneNode(true));
      var panel = document.getElementById("member-panel");
      panel.dataset.member = number;
      panel.querySelector("#member-name").textContent = number;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var panel = form.closest("#member-panel");
    var queued = form.classList.contains("counter-action") && panel && (offline() || panel.dataset.offline);
    if (!(queued || (form.id === "scan-form" && offline()))) return;  // online: htmx sends it
    event.preventDefault();
    event.stopImmediatePropagation();
    if (queued) keep(form, panel);
    else find(form.elements.q.value).then(function () { form.reset(); });
  }, true);

  // Sent, but no answer (the network went while it was on its way): kept with the same
  // nonce, so that if the server did apply it, sending it again shows that result.
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form");
    networkFailed = true;
    banner.hidden = false;
    if (!form) return;
    if (form.id === "scan-form") find(form.elements.q.value);
    var panel = form.closest("#member-panel");
    if (form.classList.contains("counter-action") && panel) {
      keep(form, panel, form.querySelector('input[name="nonce"]').value);
    }
  });
  document.addEventListener("htmx:afterSettle", remember);
  // Members shown on this till are personal data: logging out forgets them. What waits to be
  // sent stays, and goes when someone logs in again.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.getAttribute("action") !== texts.logout) return;
    event.preventDefault();
    idb.del(PANELS).finally(function () { form.submit(); });
  });

  // --- Sending what waits, one at a time, in the order it happened
  function csrf() {
    var input = document.querySelector('#scan-form input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }
  function settle(item, status, html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var done = status === 200 && page.querySelector(".counter-feedback.alert-success, .counter-feedback.alert-info");
    if (done) {
      return change(function (all) { return all.filter(function (i) { return i.nonce !== item.nonce; }); })
        .then(function (q) { refresh(item.number, page); });
    }
    var refusal = page.querySelector(".alert-danger");
    var message = refusal ? refusal.textContent.trim() : texts.unclear;
    return change(function (all) {
      return all.map(function (i) {
        return i.nonce === item.nonce ? Object.assign({}, i, { status: "conflict", message: message }) : i;
      });
    });
  }
  function refresh(number, page) {
    // The panel on screen is this member's: show what the server says now.
    var shown = document.getElementById("member-panel"), fresh = page.getElementById("member-panel");
    if (!shown || !fresh || shown.dataset.member !== number) return;
    queue().then(function (q) {
      if (q.some(function (i) { return i.number === number && i.status === "waiting"; })) return;
      panelBox.replaceChildren(fresh);
      if (window.htmx) window.htmx.process(fresh);
      remember();
    });
  }
  function sendNext() {
    return queue().then(function (q) {
      var item = q.filter(function (i) { return i.status === "waiting"; })[0];
      if (!item) return false;
      var body = new URLSearchParams(item.fields);
      body.set("csrfmiddlewaretoken", csrf());
      return fetch(item.url, {
        method: "POST", body: body, credentials: "same-origin", redirect: "manual",
        headers: { "HX-Request": "true", "X-CSRFToken": csrf() },
      }).then(function (response) {
        networkFailed = false;
        if (response.type === "opaqueredirect") { say(texts.logged_out); return false; }
        if (response.status >= 500) return false;  // try again later
        return response.text().then(function (html) { return settle(item, response.status, html); })
          .then(function () { return true; });
      }, function () { networkFailed = true; return false; });
    });
  }
  function sync() {
    if (syncing || !navigator.onLine) return;
    syncing = true;
    (function loop() {
      sendNext().then(function (more) {
        if (more) return loop();
        syncing = false;
        queue().then(show);
      }, function () { syncing = false; });
    })();
  }
  window.addEventListener("online", function () { networkFailed = false; sync(); });
  window.addEventListener("offline", function () { queue().then(show); });
  window.addEventListener("focus", sync);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) sync(); });
  setInterval(sync, 15000);
  queue().then(show).then(sync);

  // --- The page itself, for a reload offline (service workers need HTTPS or localhost)
  if ("serviceWorker" in navigator && window.isSecureContext && navigator.onLine) {
    var scope = texts.sw.replace(/sw\.js$/, "");
    navigator.serviceWorker.register(texts.sw, { scope: scope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      var assets = Array.prototype.map.call(
        document.querySelectorAll("script[src], link[rel=stylesheet][href]"),
        function (el) { return el.src || el.href; }
      );
      return caches.open(texts.cache).then(function (cache) { return cache.addAll([location.href].concat(assets)); });
    }).then(function () { document.body.dataset.offlineReady = "1"; }, function () {});
  }
})();
