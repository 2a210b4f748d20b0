// 审核: keyboard shortcuts on an activity's review page — j 下一条, k 上一条, a 审核通过, r the reason.
// Each key acts on the element marked data-key="<key>"; keys typed into a field stay in the field.
"use strict";

(function () {
  const KEYS = ["j", "k", "a", "r"];
  let acted = false;

  function typing(target) {
    return target instanceof Element && target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || event.repeat || typing(event.target)) return;
    const key = event.key.toLowerCase();
    if (!KEYS.includes(key)) return;
    const target = document.querySelector(`[data-key="${key}"]`);
    if (!target || acted) return;
    event.preventDefault();
    if (target.matches("textarea, input")) {
      target.focus();
      return;
    }
    acted = true; // one decision or one move per page: a held or doubled key does not act twice
    target.click();
  });
})();
