// 分享 on the activity page: on a phone the browser's share sheet (Web Share API), elsewhere the
// page's link copied to the clipboard with a message. Each share, and each 分享海报 taken, is
// reported to /a/<code>/share/, where it is counted like a view (audience.counting).
"use strict";

(function () {
  const box = document.querySelector("[data-share]");
  if (!box) return;
  const button = box.querySelector("[data-share-button]");
  const status = box.querySelector("[data-share-status]");
  const link = window.location.origin + window.location.pathname;
  const phone = window.matchMedia("(pointer: coarse)").matches;

  function say(message, ok) {
    status.textContent = message;
    status.classList.toggle("text-success", ok);
    status.classList.toggle("text-danger", !ok);
  }

  function report() {
    const url = box.dataset.shareUrl;
    if (navigator.sendBeacon && navigator.sendBeacon(url)) return;
    fetch(url, { method: "POST", credentials: "omit", keepalive: true }).catch(() => {});
  }

  async function copy() {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(link);
        return true;
      } catch (error) {
        // refused (no permission): the old way below
      }
    }
    const field = document.createElement("textarea");
    field.value = link;
    field.setAttribute("readonly", "");
    field.className = "visually-hidden";
    document.body.appendChild(field);
    field.select();
    let done = false;
    try {
      done = document.execCommand("copy");
    } catch (error) {
      done = false;
    }
    field.remove();
    return done;
  }

  async function share() {
    if (phone && navigator.share) {
      try {
        await navigator.share({ title: box.dataset.title, text: box.dataset.title, url: link });
      } catch (error) {
        if (error.name === "AbortError") return;  // the reader closed the sheet: nothing shared
        say("分享失败，请复制浏览器地址栏中的链接分享", false);
        return;
      }
      report();
      say("感谢分享！", true);
      return;
    }
    if (await copy()) {
      report();
      say("链接已复制，粘贴给好友即可分享", true);
    } else {
      say(`复制失败，请手动复制链接：${link}`, false);
    }
  }

  button.hidden = false;
  button.addEventListener("click", share);
  const poster = box.querySelector("[data-poster-link]");
  if (poster) poster.addEventListener("click", report);
})();
