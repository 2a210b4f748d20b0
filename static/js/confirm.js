// Buttons with data-confirm ask before they submit (补充活动信息, 编辑总结: final once saved).
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});
