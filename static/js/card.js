/* The member card: a fresh QR code every time step, derived on the phone, so it works offline.
 *
 * The code format is members/card.py's; codeFor must give the same string as
 * members.services.card_code (tests/members/test_card_code.py runs both). Under node this
 * file only exports the pure functions; in the browser it also runs the card.
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("../vendor/js-sha256/sha256.min.js"));
  } else {
    root.LojalCard = factory(root.sha256);
    if (root.document) root.LojalCard.start(root.document);
  }
})(typeof self !== "undefined" ? self : this, function (sha256) {
  "use strict";

  var PREFIX = "LJ1";
  var MAC_HEX_DIGITS = 12;
  var QR_BORDER = 2; // as members/qr.py draws it

  function hexToBytes(hex) {
    var bytes = [];
    for (var i = 0; i < hex.length; i += 2) bytes.push(parseInt(hex.substr(i, 2), 16));
    return bytes;
  }

  function codeFor(keyHex, number, step) {
    var message = PREFIX + "." + number + "." + step;
    var mac = sha256.hmac(hexToBytes(keyHex), message).slice(0, MAC_HEX_DIGITS).toUpperCase();
    return message + "." + mac;
  }

  function stepAt(millis, stepSeconds) {
    return Math.floor(millis / 1000 / stepSeconds);
  }

  // The same picture as members/qr.py: one path of horizontal runs of dark modules.
  function qrSvg(doc, text) {
    var qr = qrcode(0, "M"); // global from static/vendor/qrcode-generator
    qr.addData(text, "Alphanumeric");
    qr.make();
    var count = qr.getModuleCount();
    var size = count + 2 * QR_BORDER;
    var d = "";
    for (var y = 0; y < count; y++) {
      for (var x = 0; x < count; ) {
        if (!qr.isDark(y, x)) { x++; continue; }
        var start = x;
        while (x < count && qr.isDark(y, x)) x++;
        var run = x - start;
        d += "M" + (start + QR_BORDER) + " " + (y + QR_BORDER) + "h" + run + "v1h-" + run + "z";
      }
    }
    var ns = "http://www.w3.org/2000/svg";
    var svg = doc.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + size + " " + size);
    svg.setAttribute("class", "qr");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("shape-rendering", "crispEdges");
    var rect = doc.createElementNS(ns, "rect");
    rect.setAttribute("width", size);
    rect.setAttribute("height", size);
    rect.setAttribute("fill", "#fff");
    var path = doc.createElementNS(ns, "path");
    path.setAttribute("d", d);
    path.setAttribute("fill", "#000");
    svg.appendChild(rect);
    svg.appendChild(path);
    return svg;
  }

  function start(doc) {
    var dataBlock = doc.getElementById("member-card-data");
    var card = doc.querySelector("[data-member-card]");
    if (!dataBlock || !card) return;
    var data = JSON.parse(dataBlock.textContent);
    // Server time minus phone time. A copy replayed by the service worker says when it was
    // fetched; comparing with "now" would count the page's age as clock error.
    var cachedAt = Number(card.getAttribute("data-cached-at")) || 0;
    var offset = data.serverTime - (cachedAt || Date.now());
    var qrBox = card.querySelector(".member-card-qr");
    var timer = card.querySelector(".member-card-timer");
    var bar = timer.querySelector(".progress-bar");
    var stepMillis = data.stepSeconds * 1000;
    var shownStep = null;
    var interval = null;

    timer.style.height = "3px";
    timer.style.maxWidth = "16rem";
    timer.hidden = false;
    card.querySelector(".member-card-hint").hidden = false;

    function tick() {
      var now = Date.now() + offset;
      if (now - data.serverTime > data.offlineMaxSeconds * 1000) {
        qrBox.hidden = timer.hidden = true;
        card.querySelector(".member-card-hint").hidden = true;
        card.querySelector(".member-card-stale").hidden = false;
        clearInterval(interval);
        return;
      }
      var step = stepAt(now, data.stepSeconds);
      if (step !== shownStep) {
        qrBox.replaceChildren(qrSvg(doc, codeFor(data.key, data.number, step)));
        shownStep = step;
      }
      bar.style.width = (100 * (1 - (now % stepMillis) / stepMillis)).toFixed(1) + "%";
    }

    tick();
    interval = setInterval(tick, 1000);
    // Timers sleep while the screen is off; redraw at once when the card is shown again.
    doc.addEventListener("visibilitychange", function () {
      if (doc.visibilityState === "visible") tick();
    });
    registerWorker(doc, data);
  }

  function registerWorker(doc, data) {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(data.serviceWorker).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // Tell the worker which static files this page needs, so that it can show it offline.
      var assets = [];
      doc.querySelectorAll("link[rel~=stylesheet][href], link[rel~=icon][href], script[src]").forEach(
        function (el) {
          var url = new URL(el.getAttribute("href") || el.getAttribute("src"), doc.baseURI);
          if (url.origin === location.origin && url.pathname.indexOf(data.staticUrl) === 0) {
            assets.push(url.href);
          }
        }
      );
      registration.active.postMessage({ type: "card-shown", assets: assets });
    }).catch(function () {
      // No worker (private mode, old browser): the card still works while online.
    });
  }

  return { codeFor: codeFor, stepAt: stepAt, start: start };
});
