// 所在地区 省 → 市: the city list follows the province without a reload.
// The server renders every city under an <optgroup> named after its province
// (usable without JavaScript); here the list is narrowed to the chosen province.
"use strict";

(function () {
  function setUp(citySelect) {
    const provinceSelect = document.getElementById(citySelect.dataset.provinceSelect);
    if (!provinceSelect) return;
    const placeholder = citySelect.querySelector("option[value='']");
    const groups = new Map();
    for (const group of citySelect.querySelectorAll("optgroup")) {
      groups.set(group.label, Array.from(group.querySelectorAll("option")));
    }

    // A city chosen before the province (say, from the URL) picks the province.
    const chosen = citySelect.selectedOptions[0];
    if (!provinceSelect.value && chosen && chosen.value && chosen.parentElement.tagName === "OPTGROUP") {
      const province = Array.from(provinceSelect.options).find((o) => o.text === chosen.parentElement.label);
      if (province) provinceSelect.value = province.value;
    }

    function narrow() {
      const selected = citySelect.value;
      const name = provinceSelect.selectedOptions[0] ? provinceSelect.selectedOptions[0].text : "";
      const options = groups.get(name) || [];
      citySelect.replaceChildren(...(placeholder ? [placeholder] : []), ...options);
      citySelect.value = options.some((o) => o.value === selected) ? selected : "";
      citySelect.disabled = options.length === 0;
      citySelect.dispatchEvent(new Event("change", { bubbles: true }));
    }

    provinceSelect.addEventListener("change", narrow);
    narrow();
  }

  document.querySelectorAll("select[data-province-select]").forEach(setUp);
})();
