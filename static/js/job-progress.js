// A background job (导出, 批量审核通过): follows it on its progress bar until it ends.
// The page marks its parts with data-job-*; [data-job-field="x"] shows the status's field x.
"use strict";

(function () {
  const box = document.querySelector("[data-status-url]");
  if (!box) return;
  const bar = box.querySelector("[data-job-bar]");
  const progress = box.querySelector("[data-job-progress]");
  const link = box.querySelector("[data-job-link]");
  const ended = box.querySelector("[data-job-ended]");

  function show(percent) {
    bar.style.width = `${percent}%`;
    bar.textContent = `${percent}%`;
    progress.setAttribute("aria-valuenow", String(percent));
  }

  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, { credentials: "same-origin" });
      const job = await response.json();
      box.querySelectorAll("[data-job-field]").forEach((node) => {
        const value = job[node.dataset.jobField];
        if (value === undefined) return;
        node.textContent = value;
        if (value) node.classList.remove("d-none");
      });
      show(job.percent);
      if (job.state === "done" || job.state === "failed") {
        if (link && job.link) {
          link.href = job.link;
          link.classList.remove("d-none");
        }
        if (ended && job.state === "done") ended.classList.remove("d-none");
        return;
      }
      window.setTimeout(poll, 1000);
    } catch (error) {
      window.setTimeout(poll, 3000);
    }
  }

  show(Number(bar.dataset.percent || 0));
  poll();
})();
