/* The segment form's live count: after each change, the form as it stands (unsaved) is
 * posted to the admin's count view and its answer replaces the count and the sample. The
 * region is aria-live, so a screen reader hears the new count. Without JavaScript the count
 * is that of the saved segment, shown when the page loads. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var region = document.getElementById("segment-count");
    var form = region && document.getElementById("segment_form");
    if (!form) return;
    var timer = null;
    var asked = 0;

    function recount() {
      var ask = ++asked;
      var data = new FormData(form);
      fetch(region.dataset.countUrl, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          if (ask === asked) region.innerHTML = html; // an older answer never overwrites a newer one
        })
        .catch(function () {
          region.setAttribute("aria-busy", "false");
        });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(recount, 400);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    // Rows added or removed by the admin's inline buttons change the form without an input event.
    document.addEventListener("formset:added", later);
    document.addEventListener("formset:removed", later);
  });
})();
