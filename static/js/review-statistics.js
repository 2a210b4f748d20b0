// 统计: the charts, drawn by Chart.js (served from our static files) from the page's data.
"use strict";

(function () {
  const source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = ["#0a58ca", "#20c997", "#fd7e14", "#dc3545", "#6f42c1", "#0dcaf0", "#ffc107", "#198754"];

  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const rows = data[canvas.dataset.chart] || [];
    const pie = canvas.dataset.chart === "status" || canvas.dataset.chart === "type";
    new Chart(canvas, {
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
        animation: false,
        indexAxis: pie ? undefined : "y",
        plugins: { legend: { display: pie } },
      },
    });
  });
})();
