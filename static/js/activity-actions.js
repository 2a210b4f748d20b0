// The activity page's actions (打卡, 点赞, 收藏, 评论) without reloading the page. Each
// form also works as a plain post; a visitor is sent to log in and back.
//
// The page that every reader shares (the visitors' page, cached) shows the visitors'
// buttons. For a signed-in reader (the kepuri_reader cookie says "1") this script asks
// /a/<code>/me once for what is theirs — their 打卡 / 点赞 / 收藏, the counts, 删除 under
// their comments, 隐藏 for a moderator, the header's 消息 and 审核 — and turns the page
// into their page.
"use strict";

(function () {
  const status = document.querySelector("[data-action-status]");
  const shared = document.querySelector("[data-shared-actions]");
  let token = "";

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

  // The CSRF cookie holds the browser's secret as it is now: another answer may have set a new one
  // after /a/<code>/me gave its token (a signed-in page rendered for a missing image, say). The
  // token of /a/<code>/me is the fallback; cached pages carry none in their HTML.
  function csrfToken() {
    const found = document.cookie.split("; ").find((pair) => pair.startsWith("csrftoken="));
    return found ? decodeURIComponent(found.slice("csrftoken=".length)) : token;
  }

  // A 503 says the site is away for a moment (the database restarting: kepuri.views.server_error)
  // and when to ask again: the tap is sent again then, up to RETRIES times, the reader told so.
  const RETRIES = 5;
  const pause = (seconds) => new Promise((resolve) => { setTimeout(resolve, seconds * 1000); });

  async function post(url, body) {
    if (body instanceof FormData) body.delete("csrfmiddlewaretoken");  // the header's decides
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest", "X-CSRFToken": csrfToken() },
      });
      const wait = Number(response.headers.get("Retry-After"));
      if (response.status !== 503 || !wait || attempt >= RETRIES) return response.json();
      say(`服务暂时不可用，${wait} 秒后自动重试…`, false);
      await pause(wait);
    }
  }

  function commentDone(form, data) {
    const list = document.querySelector("[data-comment-list]");
    const empty = list.querySelector("[data-no-comments]");
    if (empty) empty.remove();
    const added = document.createElement("template");
    added.innerHTML = data.html;
    const item = added.content.querySelector("[data-comment]");
    // The same text again within minutes is the comment stored first (public/services.py): shown once.
    const shown = item && list.querySelector(`[data-comment="${item.dataset.comment}"]`);
    if (shown) shown.remove();
    list.prepend(added.content);
    form.reset();
    // The next comment is another submission: a new token (kepuri/idempotency.py).
    if (data.form_token && form.elements && form.elements.form_token) form.elements.form_token.value = data.form_token;
  }

  async function send(form) {
    const button = form.querySelector("button[type=submit], button:not([type])");
    if (button) button.disabled = true;
    let data = null;
    try {
      data = await post(form.action, new FormData(form));
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
    if (kind === "comment" && data.ok) commentDone(form, data);
    if ((kind === "delete-comment" || kind === "hide-comment") && data.ok) form.closest("[data-comment]").remove();
    if (button && button.isConnected) button.disabled = false;
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-action]");
    if (!form) return;
    event.preventDefault();
    send(form);
  });

  // --- the shared page, made the signed-in reader's own ----------------------------------------

  function pressed(link, active) {
    const [onClass, offClass] = link.dataset.act === "like"
      ? ["btn-danger", "btn-outline-danger"] : ["btn-warning", "btn-outline-warning"];
    link.classList.toggle(onClass, active);
    link.classList.toggle(offClass, !active);
    link.setAttribute("aria-pressed", String(active));
    link.querySelector("[data-label]").textContent = active ? link.dataset.onLabel : link.dataset.offLabel;
  }

  function checkedIn(link) {
    link.classList.replace("btn-primary", "btn-success");
    link.classList.add("disabled");
    link.setAttribute("aria-disabled", "true");
    link.querySelector("[data-label]").textContent = "已打卡";
    const note = document.querySelector("[data-checkin-note]");
    if (note) note.remove();
  }

  function tool(url, label, kind, css, extra) {
    const form = document.createElement("form");
    form.method = "post";
    form.action = url;
    form.dataset.action = kind;
    Object.entries(extra || {}).forEach(([name, value]) => {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.append(input);
    });
    const button = document.createElement("button");
    button.className = `btn btn-link btn-sm p-0 ${css}`;
    button.textContent = label;
    form.append(button);
    return form;
  }

  function addTools(code, me) {
    const own = new Set(me.own_comments || []);
    document.querySelectorAll("[data-comment]").forEach((item) => {
      const pk = Number(item.dataset.comment);
      const place = item.querySelector("[data-comment-tools]");
      if (!place) return;
      if (own.has(pk)) place.append(tool(`/a/${code}/comments/${pk}/delete/`, "删除", "delete-comment", "text-danger"));
      if (me.moderates) {
        place.append(tool(`/a/${code}/comments/${pk}/hide/`, "隐藏", "hide-comment", "text-secondary", { hidden: "1" }));
      }
    });
  }

  function header(me) {
    const template = document.getElementById("reader-nav");
    const nav = document.querySelector("[data-site-nav]");
    if (!template || !nav) return;
    const items = template.content.cloneNode(true);
    items.querySelector('[data-fill="phone"]').textContent = me.header.phone;
    const csrf = items.querySelector('[data-fill="csrf"]');
    csrf.name = "csrfmiddlewaretoken";
    csrf.value = me.csrf_token;
    const unread = items.querySelector('[data-fill="unread"]');
    if (me.header.unread) {
      unread.textContent = me.header.unread;
      unread.setAttribute("aria-label", `${me.header.unread}条未读`);
      unread.hidden = false;
    }
    items.querySelectorAll("[data-if]").forEach((item) => { item.hidden = !me.header[item.dataset.if]; });
    nav.replaceChildren(items);
  }

  function become(me) {
    const code = window.location.pathname.split("/")[2];
    token = me.csrf_token;
    header(me);
    showCounts(me.counts);
    shared.dataset.signedIn = "true";
    shared.querySelectorAll("[data-act]").forEach((link) => {
      if (link.dataset.act === "checkin" && me.checked_in) checkedIn(link);
      if (link.dataset.act === "like") pressed(link, me.liked);
      if (link.dataset.act === "favorite") pressed(link, me.favorited);
    });
    const commentForm = document.querySelector("template[data-reader-comment-form]");
    if (commentForm) commentForm.replaceWith(commentForm.content.cloneNode(true));
    document.querySelectorAll("[data-visitor-only]").forEach((el) => el.remove());
    addTools(code, me);
  }

  async function act(link) {
    if (link.getAttribute("aria-disabled") === "true") return;
    const body = new FormData();
    const kind = link.dataset.act;
    if (kind !== "checkin") body.set("on", link.getAttribute("aria-pressed") === "true" ? "0" : "1");
    link.classList.add("disabled");
    let data = null;
    try {
      data = await post(link.dataset.url, body);
    } catch (error) {
      say("网络异常，请稍后再试", false);
      link.classList.remove("disabled");
      return;
    }
    link.classList.remove("disabled");
    showCounts(data.counts);
    say(data.message, data.ok);
    if (!data.ok) return;
    if (kind === "checkin") checkedIn(link);
    else pressed(link, data.active);
  }

  // --- the sign-in sheet: a visitor signs in with an SMS code and acts, in one POST -----------

  const LABELS = { checkin: "打卡", like: "点赞", favorite: "收藏", comment: "评论" };
  let sheet = null;

  function readerState() {
    return fetch(`${window.location.pathname}me`, { credentials: "same-origin" }).then((response) => response.json());
  }

  function choose(action) {
    sheet.elements.action.value = action;
    sheet.querySelector("[data-join-submit]").textContent = `同意协议并${LABELS[action]}`;
    sheet.querySelector("[data-join-comment]").hidden = action !== "comment";
  }

  async function withToken() {  // the page is cached without a token: /a/<code>/me gives one
    if (sheet.dataset.token) return;
    sheet.dataset.token = "asked";
    try {
      const me = await readerState();
      token = me.csrf_token;
      const input = sheet.querySelector("[data-csrf]");
      input.name = "csrfmiddlewaretoken";
      input.value = token;
      sheet.querySelector("[data-sms-url]").disabled = false;
    } catch (error) {
      sheet.dataset.token = "";
    }
  }

  function sheetStatus(message, ok) {
    const line = sheet.querySelector('[data-sms-status="code"]');
    line.textContent = message;
    line.classList.toggle("text-success", ok);
    line.classList.toggle("text-danger", !ok);
  }

  async function join(event) {
    event.preventDefault();
    const submit = sheet.querySelector("[data-join-submit]");
    if (sheet.elements.action.value === "comment" && !sheet.elements.text.value.trim()) {
      sheetStatus("请输入评论内容", false);
      return;
    }
    submit.disabled = true;
    let data = null;
    try {
      data = await post(sheet.getAttribute("action"), new FormData(sheet));  // its input "action" hides .action
    } catch (error) {
      sheetStatus("网络异常，请稍后再试", false);
      submit.disabled = false;
      return;
    }
    if (data.errors) {  // not signed in: the phone or the code was refused
      sheetStatus(data.message, false);
      submit.disabled = false;
      return;
    }
    const action = sheet.elements.action.value;
    sheet.remove();
    showCounts(data.counts);
    say(data.message, data.ok);
    if (action === "comment" && data.ok) commentDone({ reset() {} }, data);
    readerState().then((me) => { if (me.signed_in) become(me); }).catch(() => {});
  }

  function openSheet() {
    const template = document.querySelector("template[data-join-sheet]");
    if (!template) return;
    shared.after(template.content.cloneNode(true));
    sheet = document.querySelector("form[data-join]");
    sheet.querySelector("[data-sms-url]").disabled = true;  // until the page has a token
    // Open at once where 打卡 is open (the poster's case: four taps to 已打卡); elsewhere a tap on
    // a button opens it.
    const checkin = shared.querySelector('[data-act="checkin"]');
    sheet.hidden = !checkin;
    choose(checkin ? "checkin" : "like");
    sheet.addEventListener("focusin", withToken, { once: true });
    sheet.addEventListener("submit", join);
  }

  function visitorTaps(event) {
    const link = event.target.closest("[data-act]");
    if (!link || !sheet || !sheet.isConnected) return;  // without the sheet the link leads to 登录
    event.preventDefault();
    choose(link.dataset.act);
    sheet.hidden = false;
    sheet.scrollIntoView({ block: "center" });
    sheet.elements.phone.focus();
  }

  if (shared) {
    shared.addEventListener("click", (event) => {
      if (shared.dataset.signedIn === "true") {
        const link = event.target.closest("[data-act]");
        if (!link) return;
        event.preventDefault();
        act(link);
      } else {
        visitorTaps(event);
      }
    });
    document.querySelectorAll('[data-visitor-only] [data-act="comment"]').forEach((link) => {
      link.addEventListener("click", visitorTaps);
    });
    const signedIn = document.cookie.split("; ").includes("kepuri_reader=1");
    if (signedIn) {
      readerState()
        .then((me) => {
          if (me.signed_in) {
            become(me);
          } else {
            document.cookie = "kepuri_reader=0; path=/; SameSite=Lax";
            openSheet();
          }
        })
        .catch(() => {});  // the visitors' page still works: its links lead to 登录
    } else {
      openSheet();
    }
  }
})();
