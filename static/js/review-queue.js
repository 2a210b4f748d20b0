// 审核队列: 全选 ticks every waiting activity of the page for 批量审核通过.
"use strict";

document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-select-all]");
  if (!all) return;
  all.closest("table").querySelectorAll('input[name="codes"]').forEach((box) => { box.checked = all.checked; });
});
