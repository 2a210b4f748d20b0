// The activity page's actions (打卡, 点赞, 收藏, 评论) without reloading the page. Each
// form also works as a plain post; a visitor is sent to log in and back.
"use strict";

(function () {
  const status = document.querySelector("[data-action-status]");

  function say(message, ok) {
    if (!status || !message) return;
    status.textContent = message;
    status.classList.toggle("text-success", ok);
    status.classList.toggle("text-danger", !ok);
  }

  function showCounts(counts) {
    Object.entries(counts || {}).forEach(([key, value]) => {
      document.querySelectorAll(`[data-count="${key}"]`).forEach((el) => { el.textContent = value; });
    });
  }

  function toggled(form, active) {
    const button = form.querySelector("button");
    const [onClass, offClass] = button.className.includes("danger")
      ? ["btn-danger", "btn-outline-danger"] : ["btn-warning", "btn-outline-warning"];
    button.classList.toggle(onClass, active);
    button.classList.toggle(offClass, !active);
    button.setAttribute("aria-pressed", String(active));
    button.querySelector("[data-label]").textContent = active ? button.dataset.onLabel : button.dataset.offLabel;
    form.elements.on.value = active ? "0" : "1";
  }

  // The token comes from the CSRF cookie: cached pages carry none in their HTML.
  function csrfToken() {
    const found = document.cookie.split("; ").find((pair) => pair.startsWith("csrftoken="));
    return found ? decodeURIComponent(found.slice("csrftoken=".length)) : "";
  }

  async function send(form) {
    const button = form.querySelector("button[type=submit], button:not([type])");
    if (button) button.disabled = true;
    let data = null;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest", "X-CSRFToken": csrfToken() },
      });
      data = await response.json();
    } catch (error) {
      say("网络异常，请稍后再试", false);
      if (button) button.disabled = false;
      return;
    }
    if (data.login) {
      window.location.href = data.login;
      return;
    }
    showCounts(data.counts);
    say(data.message, data.ok);
    const hint = document.querySelector("[data-ready-hint]");
    if (hint && data.ok) hint.remove();
    const kind = form.dataset.action;
    if (kind === "toggle" && data.ok) toggled(form, data.active);
    if (kind === "checkin" && data.ok) {
      button.classList.replace("btn-primary", "btn-success");
      button.firstChild.textContent = "已打卡 ";
      const note = document.querySelector("[data-checkin-note]");
      if (note) note.remove();
      return;  // stays disabled: once per activity
    }
    if (kind === "comment" && data.ok) {
      const list = document.querySelector("[data-comment-list]");
      const empty = list.querySelector("[data-no-comments]");
      if (empty) empty.remove();
      list.insertAdjacentHTML("afterbegin", data.html);
      form.reset();
    }
    if (kind === "delete-comment" && data.ok) form.closest("[data-comment]").remove();
    if (button && button.isConnected) button.disabled = false;
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-action]");
    if (!form) return;
    event.preventDefault();
    send(form);
  });
})();
