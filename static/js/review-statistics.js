// 统计: the charts, drawn by Chart.js (served from our static files) from the page's json_script data.
"use strict";

(function () {
  const source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = ["#0a58ca", "#20c997", "#fd7e14", "#dc3545", "#6f42c1", "#0dcaf0", "#ffc107", "#198754"];
  // The daily series: one line per kind of entry in the review log.
  const series = [
    { key: "submitted", label: "提交", colour: "#0a58ca" },
    { key: "approved", label: "审核通过", colour: "#198754" },
    { key: "rejected", label: "审核未通过", colour: "#dc3545" },
  ];
  const common = { animation: false, maintainAspectRatio: false, responsive: true };

  function daily(canvas, days) {
    return new Chart(canvas, {
      type: "line",
      data: {
        labels: days.labels,
        datasets: series.map((line) => ({
          label: line.label,
          data: days[line.key],
          borderColor: line.colour,
          backgroundColor: line.colour,
          pointRadius: 2,
          borderWidth: 2,
        })),
      },
      options: {
        ...common,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function counts(canvas, name, rows) {
    const pie = name === "status" || name === "type";
    return new Chart(canvas, {
      type: pie ? "doughnut" : "bar",
      data: {
        labels: rows.map((row) => row.label),
        datasets: [{
          label: "活动数",
          data: rows.map((row) => row.count),
          backgroundColor: pie ? colours : "#0a58ca",
        }],
      },
      options: {
        ...common,
        indexAxis: pie ? undefined : "y",
        plugins: { legend: { display: pie, position: "right" } },
        scales: pie ? {} : { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false } } },
      },
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const name = canvas.dataset.chart;
    if (name === "daily") {
      daily(canvas, data.daily);
    } else {
      counts(canvas, name, data[name] || []);
    }
    canvas.dataset.drawn = "true";
  });
})();
