// Colony's web app: draws the charts whose data the server put in JSON blocks, on load and after each htmx swap.
// Values arrive as exact decimal strings; Chart.js reads them as numbers only to draw, and the tooltips show
// the server's own formatting of each amount (the person's locale and currency).
(function () {
  "use strict";

  var PALETTE = ["#1f5fbf", "#e07b00", "#2e9e5b", "#c0392b", "#7d4fb3", "#0f8b8d", "#b8860b", "#d63384",
                 "#5a6b7d", "#6f9e2a", "#8e5a2b", "#3d7ab8"];

  function draw(canvas) {
    if (typeof window.Chart === "undefined" || window.Chart.getChart(canvas)) {
      return;
    }
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var doughnut = data.type === "doughnut";
    // One series (values, display) or several (series: [{label, values, display}]).
    var series = data.series || [{ label: data.label, values: data.values, display: data.display }];
    var datasets = series.map(function (one, index) {
      var color = PALETTE[index % PALETTE.length];
      return {
        label: one.label,
        data: one.values,
        display: one.display,
        borderColor: doughnut ? "#ffffff" : color,
        backgroundColor: doughnut ? one.values.map(function (_, i) { return PALETTE[i % PALETTE.length]; })
                                  : (data.type === "line" ? "rgba(31, 95, 191, 0.12)" : color),
        fill: data.type === "line",
        tension: 0.25
      };
    });
    var cartesian = !doughnut;
    new window.Chart(canvas, {
      type: data.type,
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: doughnut || datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                var text = context.dataset.display[context.dataIndex];
                return (doughnut ? context.label : context.dataset.label) + ": " + text;
              }
            }
          }
        },
        scales: cartesian ? {
          x: { stacked: !!data.stacked },
          y: {
            stacked: !!data.stacked,
            ticks: { callback: function (value) { return Number(value).toLocaleString(document.documentElement.lang); } }
          }
        } : {}
      }
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  // A form sent by htmx that asks for it (the assistant's question) is emptied once its answer is in.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (event.detail.successful && form instanceof HTMLFormElement && form.hasAttribute("data-reset-on-success")) {
      form.reset();
    }
  });

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
