/* "Invite a friend": copy the link, share through the phone's share sheet, and keep the SMS,
 * e-mail and WhatsApp links in step with the message the member edits.
 *
 * Without JavaScript the page still works: the links carry the default message, and the
 * link can be copied by hand. The share and copy buttons appear only where they work.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-invite]");
  if (!root) return;
  var message = root.querySelector("[data-message]");
  var status = root.querySelector("[data-copied-status]");

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) {
      return encodeURIComponent(values[name] || "");
    });
  }

  function updateLinks() {
    root.querySelectorAll("[data-href-template]").forEach(function (link) {
      link.href = fill(link.getAttribute("data-href-template"), {
        message: message.value,
        subject: link.getAttribute("data-subject") || "",
      });
    });
  }

  function say(text) {
    if (!status) return;
    status.textContent = "";
    // A fresh text node is announced even when it is the same words as last time.
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  message.addEventListener("input", updateLinks);
  updateLinks();

  var copy = root.querySelector("[data-copy]");
  if (copy) {
    var field = document.querySelector(copy.getAttribute("data-copy"));
    var copied = copy.getAttribute("data-copied") || "✓"; // translated by the template
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var done = function () {
        copy.textContent = copied;
        say(copied);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          field.select();
        });
      } else {
        // Older browsers and plain HTTP: select the text and use the legacy command.
        field.select();
        try {
          if (document.execCommand("copy")) done();
        } catch (e) {
          /* the text stays selected for the member to copy */
        }
      }
    });
  }

  var share = root.querySelector("[data-share]");
  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener("click", function () {
      // The message already holds the link; a separate url would show it twice in most apps.
      navigator.share({ title: share.getAttribute("data-title") || "", text: message.value }).catch(function () {
        /* closed without sharing: nothing to do */
      });
    });
  }
})();
