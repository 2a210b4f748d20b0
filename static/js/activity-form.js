// 活动填报: the 活动类型 decides which fields show (活动地址 for 线下, 活动网址 for 线上),
// without a reload; the server checks the same again.
"use strict";

(function () {
  const radios = document.querySelectorAll('input[name="activity_type"]');
  if (!radios.length) return;

  function update() {
    const checked = document.querySelector('input[name="activity_type"]:checked');
    const type = checked ? checked.value : "";
    document.querySelectorAll("[data-show-for]").forEach((element) => {
      element.hidden = !type || !element.dataset.showFor.split(" ").includes(type);
    });
  }

  radios.forEach((radio) => radio.addEventListener("change", update));
  update();
})();
