// 数据大屏 (reviews/screen.html): draws the figures, the ranking, the tile map, the daily chart and the
// top lists from the page's screen-data block, then asks the page's data-url again every
// data-refresh seconds (read anew before each wait, so a test may shorten it) and redraws in place.
// Nothing is reloaded; a failed request keeps what is shown and says so. The chosen figure of the
// ranking and the map (活动数, 参与人数, 浏览量) stays chosen across refreshes.
"use strict";

(function () {
  const body = document.body;
  const source = document.getElementById("screen-data");
  if (!body.hasAttribute("data-screen") || !source) return;

  const numbers = new Intl.NumberFormat("zh-CN");
  const clockFormat = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  });
  const METRIC_LABELS = { activities: "活动数", participants: "参与人数", views: "浏览量" };
  const BUCKETS = 5;
  let data = JSON.parse(source.textContent);
  let metric = "activities";
  const charts = {};

  // --- numbers ---------------------------------------------------------------------------------

  function full(n) {
    return numbers.format(n);
  }

  function brief(n) {
    // 12.3万, 1.2亿: what fits a tile.
    const cut = (value) => value.toFixed(1).replace(/\.0$/, "");
    if (n >= 1e8) return cut(n / 1e8) + "亿";
    if (n >= 1e4) return cut(n / 1e4) + "万";
    return full(n);
  }

  function signed(n) {
    return (n >= 0 ? "+" : "−") + full(Math.abs(n));
  }

  function make(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  }

  // --- the four figures ----------------------------------------------------------------------------

  function countTo(element, to, format) {
    // A short count from the shown value to the new one; the final text is exact.
    const from = Number(element.dataset.value || 0);
    element.dataset.value = String(to);
    if (from === to) {
      element.textContent = format(to);
      return;
    }
    element.classList.remove("is-moved");
    void element.offsetWidth; // restart the animation
    element.classList.add("is-moved");
    const started = performance.now();
    const duration = 900;
    function step(now) {
      const t = Math.min(1, (now - started) / duration);
      const eased = 1 - Math.pow(1 - t, 3);
      element.textContent = format(t < 1 ? Math.round(from + (to - from) * eased) : to);
      if (t < 1 && element.dataset.value === String(to)) requestAnimationFrame(step);
    }
    requestAnimationFrame(step);
  }

  function drawFigures() {
    Object.entries(data.figures).forEach(([key, figure]) => {
      const total = document.querySelector(`[data-figure="${key}"]`);
      const today = document.querySelector(`[data-figure-today="${key}"]`);
      if (total) countTo(total, figure.total, full);
      if (today) countTo(today, figure.today, signed);
    });
    const scope = document.querySelector("[data-scope-name]");
    if (scope) scope.textContent = data.scope.name;
    const updated = document.querySelector("[data-updated]");
    if (updated) updated.textContent = data.updated_time;
  }

  // --- the ranking and the map ------------------------------------------------------------------------

  function ranked() {
    return [...data.areas].sort(
      (a, b) => b[metric] - a[metric] || b.activities - a.activities || a.code.localeCompare(b.code),
    );
  }

  function drawRanking() {
    const table = document.querySelector("[data-ranking]");
    if (!table) return;
    const rows = ranked();
    const top = Math.max(1, ...rows.map((row) => row[metric]));
    const tbody = table.tBodies[0];
    const fresh = document.createDocumentFragment();
    rows.forEach((row, index) => {
      const tr = make("tr", index < 3 ? `rank-${index + 1}` : "");
      tr.dataset.code = row.code;
      const no = make("td", "rank-no");
      no.appendChild(make("span", "rank-badge", String(index + 1)));
      const name = make("td", "rank-name", row.short);
      name.title = row.name;
      name.appendChild(make("span", `rank-bar w${Math.round((row[metric] / top) * 20)}`));
      tr.append(no, name);
      Object.keys(METRIC_LABELS).forEach((key) => {
        const cell = make("td", "num" + (key === metric ? " is-sorted" : ""), full(row[key]));
        cell.dataset.col = key;
        tr.appendChild(cell);
      });
      fresh.appendChild(tr);
    });
    tbody.replaceChildren(fresh);
    table.querySelectorAll("th[data-col]").forEach((th) => th.classList.toggle("is-sorted", th.dataset.col === metric));
  }

  function thresholds(values) {
    // Five buckets of the places that have any: quintiles, rounded to two significant digits.
    const sorted = values.filter((v) => v > 0).sort((a, b) => a - b);
    if (!sorted.length) return [];
    const round = (v) => {
      if (v < 10) return Math.max(1, Math.round(v));
      const unit = Math.pow(10, Math.floor(Math.log10(v)) - 1);
      return Math.round(v / unit) * unit;
    };
    const cuts = [];
    for (let k = 1; k < BUCKETS; k += 1) {
      const cut = round(sorted[Math.floor((k * sorted.length) / BUCKETS)]);
      if (cut > (cuts[cuts.length - 1] || 1)) cuts.push(cut);
    }
    return cuts;
  }

  function levels(cuts) {
    // A value's bucket, 0 (none) to 5; with fewer than five steps the brightest ones are used, so
    // the largest value is always the brightest.
    return (value) => (value ? 1 + cuts.filter((cut) => value >= cut).length + (BUCKETS - 1 - cuts.length) : 0);
  }

  function paint(tile, row, level) {
    tile.className = tile.className.replace(/\btile-(b\d|none)\b/g, "").trim();
    const value = tile.querySelector("[data-tile-value]");
    if (!row) {
      tile.classList.add("tile-none");
      tile.title = `${tile.querySelector(".tile-name").textContent}：暂无数据`;
      value.textContent = "—";
      return;
    }
    tile.classList.add(`tile-b${level(row[metric])}`);
    tile.dataset.value = String(row[metric]);
    tile.title = `${row.name}：${METRIC_LABELS[metric]} ${full(row[metric])}`;
    value.textContent = brief(row[metric]);
  }

  function drawLegend(cuts) {
    const legend = document.querySelector("[data-legend]");
    if (!legend) return;
    const level = levels(cuts);
    const edges = [1, ...cuts];
    const items = [[0, "0"]];
    edges.forEach((low, index) => {
      const high = edges[index + 1];
      let label = `≥ ${brief(low)}`;
      if (high !== undefined) label = low + 1 === high ? brief(low) : `${brief(low)} – ${brief(high - 1)}`;
      items.push([level(low), label]);
    });
    legend.replaceChildren(
      ...items.map(([n, label]) => {
        const item = make("span", "legend-item");
        item.append(make("span", `legend-swatch tile-b${n}`), make("span", "", label));
        return item;
      }),
    );
  }

  function drawMap() {
    const note = document.querySelector("[data-map-metric]");
    if (note) note.textContent = METRIC_LABELS[metric];
    const cuts = thresholds(data.areas.map((row) => row[metric]));
    const level = levels(cuts);
    const byCode = new Map(data.areas.map((row) => [row.code, row]));
    const map = document.querySelector("[data-tile-map]");
    if (map) {
      map.querySelectorAll(".tile").forEach((tile) => paint(tile, byCode.get(tile.dataset.code), level));
    }
    const cities = document.querySelector("[data-city-tiles]");
    if (cities) {
      cities.replaceChildren(
        ...ranked().map((row) => {
          const tile = make("div", "tile");
          tile.dataset.code = row.code;
          const value = make("span", "tile-value");
          value.dataset.tileValue = "";
          tile.append(make("span", "tile-name", row.short), value);
          paint(tile, row, level);
          return tile;
        }),
      );
    }
    drawLegend(cuts);
  }

  function choose(key) {
    metric = key;
    document.querySelectorAll("[data-metric]").forEach((button) => {
      const on = button.dataset.metric === key;
      button.classList.toggle("is-on", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    drawRanking();
    drawMap();
  }

  // --- charts -------------------------------------------------------------------------------------

  function dayLabels(days) {
    const years = new Set(days.map((day) => day.slice(0, 4)));
    return days.map((day) => (years.size > 1 ? day : day.slice(5)));
  }

  function drawDaily() {
    const canvas = document.querySelector('canvas[data-chart="daily"]');
    if (!canvas || typeof Chart === "undefined") return;
    const daily = data.daily;
    const series = [
      { key: "submitted", label: "提交活动", colour: "#38d6ff", axis: "y" },
      { key: "views", label: "浏览量", colour: "#ffc94a", axis: "y1", fill: "rgba(255, 201, 74, 0.10)" },
      { key: "shares", label: "分享数", colour: "#ff7aa8", axis: "y1" },
    ];
    if (charts.daily) {
      charts.daily.data.labels = dayLabels(daily.days);
      series.forEach((line, index) => {
        charts.daily.data.datasets[index].data = daily[line.key];
      });
      charts.daily.update("none");
      return;
    }
    charts.daily = new Chart(canvas, {
      type: "line",
      data: {
        labels: dayLabels(daily.days),
        datasets: series.map((line) => ({
          label: line.label,
          data: daily[line.key],
          yAxisID: line.axis,
          borderColor: line.colour,
          backgroundColor: line.fill || line.colour,
          fill: Boolean(line.fill),
          pointRadius: 0,
          pointHoverRadius: 4,
          borderWidth: 2,
          cubicInterpolationMode: "monotone",
        })),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        responsive: true,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "top", align: "end", labels: { boxWidth: 14, boxHeight: 3 } },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}：${full(item.parsed.y)}` } },
        },
        scales: {
          x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 16 } },
          y: { beginAtZero: true, position: "left", ticks: { precision: 0, callback: (v) => brief(v) } },
          y1: {
            beginAtZero: true, position: "right", grid: { drawOnChartArea: false },
            ticks: { precision: 0, callback: (v) => brief(v) },
          },
        },
      },
    });
    canvas.dataset.drawn = "true";
  }

  function drawCategories() {
    const canvas = document.querySelector('canvas[data-chart="categories"]');
    if (!canvas || typeof Chart === "undefined") return;
    const rows = data.categories;
    if (charts.categories) {
      charts.categories.data.labels = rows.map((row) => row.label);
      charts.categories.data.datasets[0].data = rows.map((row) => row.count);
      charts.categories.update("none");
      return;
    }
    charts.categories = new Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map((row) => row.label),
        datasets: [{ label: "活动数", data: rows.map((row) => row.count), backgroundColor: "#25a8e6", borderRadius: 4, maxBarThickness: 26 }],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        responsive: true,
        indexAxis: "y",
        plugins: { legend: { display: false } },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0, callback: (v) => brief(v) } },
          y: { grid: { display: false }, ticks: { autoSkip: false } },
        },
      },
    });
    canvas.dataset.drawn = "true";
  }

  // --- the top lists ---------------------------------------------------------------------------------

  function drawTop(name, rows, key, unit) {
    const list = document.querySelector(`[data-top="${name}"]`);
    if (!list) return;
    if (!rows.length) {
      list.replaceChildren(make("li", "top-empty", "暂无数据"));
      return;
    }
    list.replaceChildren(
      ...rows.map((row, index) => {
        const item = make("li", `top-item${index < 3 ? ` rank-${index + 1}` : ""}`);
        item.dataset.code = row.code;
        const badge = make("span", "rank-badge", String(index + 1));
        const name = make("span", "top-name");
        const link = make("a", "", row.name);
        link.href = row.url;
        name.title = row.name;
        name.appendChild(link);
        const place = make("span", "top-place", row.place);
        place.title = row.place;
        const count = make("span", "top-count", full(row[key]));
        count.appendChild(make("small", "", unit));
        item.append(badge, name, place, count);
        return item;
      }),
    );
  }

  // --- all of it, and again every data-refresh seconds -------------------------------------------

  function draw() {
    drawFigures();
    drawRanking();
    drawMap();
    drawDaily();
    drawCategories();
    drawTop("viewed", data.top_viewed, "views", "次");
    drawTop("liked", data.top_liked, "likes", "赞");
  }

  function say(message) {
    const status = document.querySelector("[data-status]");
    if (status) status.textContent = message;
  }

  function schedule() {
    const seconds = Math.max(1, Number(body.dataset.refresh) || 60);
    window.setTimeout(refresh, seconds * 1000);
  }

  async function refresh() {
    try {
      const response = await fetch(body.dataset.url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (!response.ok) throw new Error(String(response.status));
      if (!(response.headers.get("Content-Type") || "").startsWith("application/json")) {
        // Sent to 登录: the session ended. What is shown stays until the page is opened again.
        say("（登录已过期，请重新打开本页）");
        schedule();
        return;
      }
      data = await response.json();
      draw();
      body.dataset.refreshes = String(Number(body.dataset.refreshes || 0) + 1);
      say("");
    } catch (error) {
      say("（连接中断，稍后重试）");
    }
    schedule();
  }

  function tick() {
    const clock = document.querySelector("[data-clock]");
    if (clock) clock.textContent = clockFormat.format(new Date());
  }

  function fullscreen() {
    const button = document.querySelector("[data-fullscreen]");
    if (!button || !document.fullscreenEnabled) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        document.documentElement.requestFullscreen().catch(() => say("（浏览器未允许全屏）"));
      }
    });
    document.addEventListener("fullscreenchange", () => {
      button.textContent = document.fullscreenElement ? "退出全屏" : "全屏";
    });
  }

  if (typeof Chart !== "undefined") {
    Chart.defaults.color = "#8ea6cc";
    Chart.defaults.borderColor = "rgba(74, 144, 226, 0.15)";
    Chart.defaults.font.family = getComputedStyle(body).fontFamily;
    Chart.defaults.font.size = Math.max(12, Math.round(window.innerWidth / 150));
  }
  document.querySelectorAll("[data-metric]").forEach((button) => {
    button.addEventListener("click", () => choose(button.dataset.metric));
  });
  fullscreen();
  tick();
  window.setInterval(tick, 1000);
  draw();
  body.dataset.drawn = "true";
  schedule();
})();
