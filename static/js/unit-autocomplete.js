// 归口单位: choose a type, type part of a name (or its pinyin initials), click a
// match. The matches come from the server, which offers only active units, and
// for 省科协 / 市科协 only those of the chosen 所在地区. Choosing 其他 shows the
// free-text name instead.
"use strict";

(function () {
  const DELAY = 150;

  function typeValue(name) {
    const checked = document.querySelector(`input[name="${name}"]:checked`);
    return checked ? checked.value : "";
  }

  function setUp(box) {
    const text = box.querySelector("input[type=text]");
    const hidden = box.querySelector("[data-unit-value]");
    const list = box.querySelector("[role=listbox]");
    const status = box.querySelector("[data-unit-status]");
    const typeName = box.dataset.typeName;
    const regionInput = document.getElementById(box.dataset.regionInput);
    let timer = null;
    let active = -1;
    let request = 0;

    const currentType = () => typeValue(typeName);

    function close() {
      window.clearTimeout(timer);  // a search still to come would open the list again
      request += 1;
      list.hidden = true;
      list.replaceChildren();
      text.setAttribute("aria-expanded", "false");
      text.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(item) {
      hidden.value = item.dataset.id;
      text.value = item.dataset.name;
      status.textContent = "";
      close();
    }

    function highlight(index) {
      const items = list.querySelectorAll("[role=option]");
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach((item, i) => {
        item.classList.toggle("active", i === active);
        item.setAttribute("aria-selected", String(i === active));
      });
      text.setAttribute("aria-activedescendant", items[active].id);
    }

    async function search() {
      const params = new URLSearchParams({
        type: currentType(),
        region: regionInput ? regionInput.value : "",
        q: text.value.trim(),
      });
      const mine = ++request;
      try {
        const response = await fetch(`${box.dataset.url}?${params}`, { credentials: "same-origin" });
        const data = await response.json();
        if (mine !== request) return;  // a newer search is under way
        list.replaceChildren(
          ...data.results.map((unit, i) => {
            const item = document.createElement("li");
            item.id = `${list.id}-${i}`;
            item.className = "list-group-item list-group-item-action";
            item.setAttribute("role", "option");
            item.dataset.id = unit.id;
            item.dataset.name = unit.name;
            item.textContent = unit.short_name && unit.short_name !== unit.name
              ? `${unit.name}（${unit.short_name}）` : unit.name;
            item.addEventListener("mousedown", (event) => {
              event.preventDefault();  // keep the focus in the text box
              choose(item);
            });
            return item;
          }),
        );
        list.hidden = data.results.length === 0;
        text.setAttribute("aria-expanded", String(!list.hidden));
        status.textContent = data.hint || "";
      } catch (error) {
        status.textContent = "检索失败，请检查网络后重试";
      }
    }

    text.addEventListener("input", () => {
      hidden.value = "";  // typing again undoes a choice
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY);
    });
    text.addEventListener("focus", () => {
      if (!hidden.value) search();
    });
    text.addEventListener("blur", close);
    text.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(list.querySelectorAll("[role=option]")[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });

    function reset() {
      hidden.value = "";
      text.value = "";
      status.textContent = "";
      close();
    }
    document.querySelectorAll(`input[name="${typeName}"]`).forEach((radio) => radio.addEventListener("change", reset));
    if (regionInput) regionInput.addEventListener("change", () => { if (hidden.value) reset(); });
  }

  // 其他 shows the free-text name; the four other types show the search box.
  function toggleOther() {
    const other = typeValue("supervisor_type") === "other";
    document.querySelectorAll("[data-supervisor-other]").forEach((el) => { el.hidden = !other; });
    document.querySelectorAll("[data-supervisor-unit]").forEach((el) => { el.hidden = other; });
  }

  document.querySelectorAll("[data-unit-autocomplete]").forEach(setUp);
  document.querySelectorAll('input[name="supervisor_type"]').forEach((radio) => radio.addEventListener("change", toggleOther));
  toggleOther();
})();
