/* The campaign report's chart: buyers and revenue day by day after sending.
 *
 * The same figures are in the table under it (the chart is an image to assistive
 * technology), so the page says everything without JavaScript. Chart.js is vendored.
 */
(function () {
  "use strict";

  var source = document.getElementById("campaign-days");
  var canvas = document.querySelector("[data-campaign-chart]");
  if (!source || !canvas || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var lang = document.documentElement.lang || "nb";
  var labels = data.days.map(function (iso) {
    var parts = iso.split("-");
    return new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2])).toLocaleDateString(lang, {
      day: "numeric",
      month: "short",
    });
  });
  var club = getComputedStyle(document.documentElement).getPropertyValue("--club-colour").trim() || "#8a4b2d";
  new window.Chart(canvas, {
    data: {
      labels: labels,
      datasets: [
        { type: "bar", label: data.labels.buyers, data: data.buyers, backgroundColor: club, yAxisID: "y" },
        { type: "line", label: data.labels.revenue, data: data.revenue, borderColor: "#6c757d", yAxisID: "kr" },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        y: { beginAtZero: true, ticks: { precision: 0 }, position: "left" },
        kr: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } },
      },
    },
  });
})();
