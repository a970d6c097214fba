/* The campaign form's SMS counter: characters, parts and the cost at the club's price per
 * part, under each SMS text as it is typed. The rule is the server's (campaigns.sending.
 * content.sms_parts): the GSM alphabet goes 160 characters a part (153 when split), anything
 * else 70 (67). The line is aria-live, so a screen reader hears it. */
(function () {
  "use strict";
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENDED = "^{}\\[~]|€";

  function parts(text) {
    var gsm = true, length = 0, i, ch;
    for (i = 0; i < text.length; i++) {
      ch = text.charAt(i);
      if (BASIC.indexOf(ch) >= 0) length += 1;
      else if (EXTENDED.indexOf(ch) >= 0) length += 2;
      else { gsm = false; break; }
    }
    if (!gsm) length = text.length; // UTF-16 units, as the phone network counts them
    var single = gsm ? 160 : 70, multi = gsm ? 153 : 67;
    return { characters: length, parts: length === 0 ? 0 : length <= single ? 1 : Math.ceil(length / multi) };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var price = document.getElementById("sms-price");
    var ore = price ? Number(price.dataset.priceOre) : 0;
    var lang = document.documentElement.lang || "nb";
    var kr = new Intl.NumberFormat(lang, { style: "currency", currency: "NOK" });
    document.querySelectorAll("textarea[data-sms-count]").forEach(function (area) {
      var line = document.createElement("p");
      line.className = "help";
      line.setAttribute("aria-live", "polite");
      area.insertAdjacentElement("afterend", line);
      function show() {
        var counted = parts(area.value);
        line.textContent = counted.characters + " / " + counted.parts + " SMS · " + kr.format((counted.parts * ore) / 100);
      }
      area.addEventListener("input", show);
      show();
    });
  });
})();
