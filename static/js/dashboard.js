/* The owner's dashboard: definitions as tooltips, and the monthly charts.
 *
 * Without JavaScript (or without Chart.js) the page still has everything: each definition is
 * in the button's title and read out through aria-describedby, and the charts' figures are
 * in the table under them. Chart.js is vendored (static/vendor/chart.js), never a CDN.
 */
(function () {
  "use strict";

  if (window.bootstrap && window.bootstrap.Tooltip) {
    document.querySelectorAll('[data-bs-toggle="tooltip"]').forEach(function (el) {
      // Shown on hover and on keyboard focus; Escape hides it (Bootstrap's own handling).
      new window.bootstrap.Tooltip(el, { trigger: "hover focus" });
    });
  }

  var source = document.getElementById("dashboard-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var lang = document.documentElement.lang || "nb";
  var months = data.months.map(function (iso) {
    var parts = iso.split("-");
    return new Date(Number(parts[0]), Number(parts[1]) - 1, 1).toLocaleDateString(lang, {
      month: "short",
      year: "2-digit",
    });
  });
  var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  var style = getComputedStyle(document.documentElement);
  var club = style.getPropertyValue("--club-colour").trim() || "#8a4b2d";
  var grey = "#6c757d";

  function draw(name, datasets, options) {
    var canvas = document.querySelector('[data-chart="' + name + '"]');
    if (!canvas) return;
    new window.Chart(canvas, {
      type: options.type || "line",
      data: { labels: months, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: datasets.length > 1 },
          tooltip: {
            callbacks: {
              label: function (item) {
                var value = item.parsed.y === null ? "—" : number.format(item.parsed.y);
                return (item.dataset.label ? item.dataset.label + ": " : "") + value + (options.suffix || "");
              },
            },
          },
        },
        scales: options.scales || {
          y: {
            beginAtZero: true,
            suggestedMax: options.max,
            ticks: { callback: function (value) { return number.format(value) + (options.suffix || ""); } },
          },
        },
      },
    });
  }

  var labels = data.labels;
  var plain = { callback: function (value) { return number.format(value); } };
  draw("members", [{ data: data.members, borderColor: club, backgroundColor: club, tension: 0.2 }], {});
  draw("active", [{ data: data.active, borderColor: club, backgroundColor: club, tension: 0.2 }], {
    suffix: " %",
    max: 100,
  });
  draw(
    "redeemed",
    [
      { label: labels.points, data: data.redeemed, backgroundColor: club, yAxisID: "y" },
      { label: labels.vouchers, data: data.vouchers, backgroundColor: grey, yAxisID: "y1" },
    ],
    {
      type: "bar",
      // Points run to thousands, vouchers to tens: each on its own axis.
      scales: {
        y: { beginAtZero: true, position: "left", title: { display: true, text: labels.points }, ticks: plain },
        y1: {
          beginAtZero: true,
          position: "right",
          grid: { drawOnChartArea: false },
          title: { display: true, text: labels.vouchers },
          ticks: plain,
        },
      },
    }
  );
  draw("liability", [{ data: data.liability, borderColor: club, backgroundColor: club, tension: 0.2 }], {
    suffix: " kr",
  });
})();
