// 导出: follows the background export until its file can be downloaded.
"use strict";

(function () {
  const box = document.querySelector("[data-status-url]");
  if (!box) return;
  const bar = box.querySelector("[data-export-bar]");
  const progress = box.querySelector("[data-export-progress]");
  const download = box.querySelector("[data-export-download]");

  function show(percent) {
    bar.style.width = `${percent}%`;
    bar.textContent = `${percent}%`;
    progress.setAttribute("aria-valuenow", String(percent));
  }

  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, { credentials: "same-origin" });
      const job = await response.json();
      box.querySelector("[data-export-state]").textContent = job.state_label;
      box.querySelector("[data-export-done]").textContent = job.done;
      box.querySelector("[data-export-total]").textContent = job.total;
      show(job.percent);
      if (job.download) {
        download.href = job.download;
        download.classList.remove("d-none");
        return;
      }
      if (job.state !== "failed") window.setTimeout(poll, 1000);
    } catch (error) {
      window.setTimeout(poll, 3000);
    }
  }

  show(Number(bar.dataset.percent || 0));
  poll();
})();
