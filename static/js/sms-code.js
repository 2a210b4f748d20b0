// 获取验证码: asks the server for a code without leaving the page, then counts
// down until the next one may be requested. Without JavaScript the same button
// submits the form, and the server sends the code and shows the page again.
// A button names its code field (data-sms-code-field, whose status line shows
// the answer) and the field that holds the number (data-sms-phone-field); a
// button without one asks for a code to the user's own number (更换手机号).
"use strict";

(function () {
  const LABEL = "获取验证码";
  const LONGEST_COUNTDOWN = 120;  // longer waits are told as a time in the message

  function showStatus(status, message, ok) {
    if (!status) return;
    status.textContent = message;
    status.classList.toggle("text-success", ok);
    status.classList.toggle("text-danger", !ok);
  }

  function countDown(button, seconds) {
    button.disabled = true;
    const tick = () => {
      if (seconds <= 0) {
        button.disabled = false;
        button.textContent = LABEL;
        return;
      }
      button.textContent = `${seconds}秒后重新获取`;
      seconds -= 1;
      window.setTimeout(tick, 1000);
    };
    tick();
  }

  async function requestCode(button) {
    const form = button.form;
    const codeField = button.dataset.smsCodeField || "code";
    const phoneField = button.dataset.smsPhoneField;
    const status = form.querySelector(`[data-sms-status="${codeField}"]`);
    const body = new URLSearchParams({ purpose: button.dataset.smsPurpose });
    if (phoneField) body.set("phone", form.elements[phoneField].value);
    button.disabled = true;
    try {
      const response = await fetch(button.dataset.smsUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: {
          "X-CSRFToken": form.elements.csrfmiddlewaretoken.value,
          "X-Requested-With": "XMLHttpRequest",
        },
      });
      const result = response.headers.get("Content-Type", "").includes("json")
        ? await response.json()
        : { ok: false, message: "页面已过期，请刷新页面后重试" };
      showStatus(status, result.message, result.ok);
      if (result.retry_after && result.retry_after <= LONGEST_COUNTDOWN) {
        countDown(button, result.retry_after);
      } else {
        button.disabled = false;
      }
      if (result.ok && form.elements[codeField]) form.elements[codeField].focus();
    } catch (error) {
      showStatus(status, "网络异常，请检查网络后重试", false);
      button.disabled = false;
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-sms-url]");
    if (!button) return;
    event.preventDefault();
    requestCode(button);
  });
})();
