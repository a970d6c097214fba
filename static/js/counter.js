/* The counter page: keep the scan field ready for a handheld scanner, and scan with the
   camera where the browser allows it. Everything also works without this file. */
(function () {
  "use strict";
  var scan = document.getElementById("scan-input");
  var form = document.getElementById("scan-form");

  function typing() {
    var el = document.activeElement;
    return el && el !== scan && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName);
  }

  // A scanner "types" into whatever has focus: bring focus back to the scan field whenever
  // staff are not typing somewhere else (an amount, a reason).
  function refocus() {
    if (scan && !typing()) scan.focus({ preventScroll: true });
  }
  // The scan field also takes a voucher's code while a member's panel is open: it carries
  // that member and the panel's nonce along.
  function syncPanel() {
    var panel = document.getElementById("member-panel");
    document.getElementById("scan-member").value = panel ? panel.dataset.member : "";
    document.getElementById("scan-nonce").value = panel ? panel.dataset.nonce : "";
  }
  syncPanel();
  // After an action the panel is new (the result is announced by its aria-live region).
  document.addEventListener("htmx:afterSettle", function () {
    syncPanel();
    refocus();
  });
  // A scan that found someone empties the field for the next one.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.target === form && event.detail.successful) form.reset();
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, select, textarea, button, a, summary, label")) refocus();
  });
  window.addEventListener("focus", refocus);

  // Camera scanning: needs a secure context (HTTPS or localhost) and the vendored library.
  var start = document.getElementById("camera-start");
  var note = document.getElementById("camera-unavailable");
  var box = document.getElementById("camera");
  if (!start || !box) return;
  if (!window.isSecureContext || !navigator.mediaDevices) {
    note.hidden = false;
    return;
  }
  start.hidden = false;
  var scanner = null;
  function stop() {
    if (scanner) scanner.stop().catch(function () {});
    scanner = null;
    box.hidden = true;
  }
  // The library is fetched the first time the camera is asked for, not with the page:
  // most tills use a handheld scanner and never need it.
  var library = null;
  function loadLibrary() {
    if (!library) {
      library = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = start.dataset.library;
        script.onload = resolve;
        script.onerror = function () { library = null; reject(); };
        document.head.appendChild(script);
      });
    }
    return library;
  }
  function startScanner() {
    box.hidden = false;
    scanner = new Html5Qrcode("camera");
    scanner.start({ facingMode: "environment" }, { fps: 10, qrbox: 220 }, function (text) {
      stop();
      scan.value = text;
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }).catch(function () { stop(); note.hidden = false; });
  }
  start.addEventListener("click", function () {
    if (scanner) { stop(); return; }
    start.disabled = true;
    loadLibrary().then(startScanner, function () { note.hidden = false; })
      .then(function () { start.disabled = false; });
  });
})();
