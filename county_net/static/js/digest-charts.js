// 摘报 charts: each <canvas data-chart="{labels, current, previous, series}"> becomes a horizontal bar chart of
// this period against the previous one. The data sits in the attribute because the CSP allows no inline script.
(function () {
  "use strict";
  var CURRENT = "#b0302a", PREVIOUS = "#9aa5b1";

  function draw(canvas) {
    var data = JSON.parse(canvas.getAttribute("data-chart"));
    var printing = canvas.hasAttribute("data-print");
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          {label: data.series[0], data: data.current, backgroundColor: CURRENT},
          {label: data.series[1], data: data.previous, backgroundColor: PREVIOUS}
        ]
      },
      options: {
        indexAxis: "y",
        // Drawn at once: a printed page (and the PDF printer) must not catch a chart halfway through.
        animation: false,
        responsive: !printing,
        maintainAspectRatio: false,
        devicePixelRatio: printing ? 3 : window.devicePixelRatio,
        scales: {x: {beginAtZero: true, ticks: {precision: 0}}},
        plugins: {legend: {position: "bottom"}}
      }
    });
    canvas.setAttribute("data-drawn", "1");
  }

  function init() {
    if (!window.Chart) {
      return; // the tables below each chart say the same
    }
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i++) {
      draw(canvases[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
