/*
 * Civil-affairs assistant: the citizen web chat page.
 *
 * Plain browser JavaScript, no build step and no dependencies. It talks to the gateway:
 *   POST /api/chat                  {sender, message} -> {messages: [...], notices: [...]}
 *   GET  /api/chat/health           {available, hotline}
 *   GET  /api/chat/{sender}/events  Server-Sent Events pushed by hotline staff (optional; a 404 is
 *                                   retried quietly with backoff)
 * Every label comes from the page (rendered from strings.yml); this file holds no Chinese text.
 * Timings can be overridden (tests do) by defining window.MZ_WEBCHAT_CONFIG before this runs.
 */
(() => {
  "use strict";

  const CONFIG = Object.freeze({
    replyTimeoutMs: 30000, // longer than the gateway's own wait for Rasa (20 s)
    healthFirstDelayMs: 2000,
    healthMaxDelayMs: 30000,
    healthTimeoutMs: 8000,
    eventsFirstDelayMs: 5000,
    eventsMaxDelayMs: 120000,
    maxStoredEntries: 200,
    // The stored copy of the conversation is forgotten a day after it was last written.
    transcriptMaxAgeMs: 24 * 60 * 60 * 1000,
    ...(window.MZ_WEBCHAT_CONFIG || {}),
  });

  const STORAGE = {
    sender: "mzWebchat.sender",
    transcript: "mzWebchat.transcript",
    largeText: "mzWebchat.largeText",
    restartPending: "mzWebchat.restartPending",
  };
  const SENDER_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
  // ASCII URL characters only, so Chinese text written right after a link is not swallowed.
  const URL_PATTERN = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/g;
  const TRAILING_PUNCTUATION = /[.,;:!?'")\]]+$/;
  const ROLES = ["user", "bot", "staff", "notice"];

  const dom = {};
  const S = {}; // labels, from the data-* attributes of #ui-strings
  const state = { sender: "", entries: [], pending: false, unavailable: false, atEnd: true };
  const rows = new Map(); // entry id -> rendered row
  const health = { timer: null, delay: CONFIG.healthFirstDelayMs };
  const events = { timer: null, delay: CONFIG.eventsFirstDelayMs };
  let idCounter = 0;

  // ---- storage (localStorage may be missing or full: the page then works but forgets) ----

  const store = {
    get(key) {
      try {
        return window.localStorage.getItem(key);
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        window.localStorage.setItem(key, value);
      } catch {
        /* nothing to do */
      }
    },
    remove(key) {
      try {
        window.localStorage.removeItem(key);
      } catch {
        /* nothing to do */
      }
    },
  };

  function loadSender() {
    const saved = store.get(STORAGE.sender);
    if (saved && SENDER_PATTERN.test(saved)) return saved;
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes); // works on plain http too, unlike randomUUID
    const sender = "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    store.set(STORAGE.sender, sender);
    return sender;
  }

  function isEntry(value) {
    return (
      value !== null &&
      typeof value === "object" &&
      typeof value.id === "string" &&
      ROLES.includes(value.role) &&
      typeof value.text === "string"
    );
  }

  // Identity numbers (15 or 18 characters) and mobile numbers (11 digits from 1), typed with or
  // without separators or in full-width digits, are masked in the stored copy: another person
  // using this browser later must not read them. What is on the screen now is left as it is.
  const NUMBER_RUN = /[0-9\uFF10-\uFF19](?:[\s\-._\u00B7\u30FB]?[0-9\uFF10-\uFF19]){9,17}(?:[\s\-._\u00B7\u30FB]?[xX\uFF38\uFF58])?/g;

  function maskPersonalNumbers(text) {
    return text.replace(NUMBER_RUN, (run) => {
      const chars = Array.from(run.replace(/[\s\-._\u00B7\u30FB]/g, ""));
      const n = chars.length;
      const mobile = n === 11 && /^[1\uFF11]/.test(chars[0]);
      if (!(mobile || n === 15 || n === 18)) return run;
      return chars.slice(0, 3).join("") + "*".repeat(n - 5) + chars.slice(-2).join("");
    });
  }

  function loadTranscript() {
    try {
      const data = JSON.parse(store.get(STORAGE.transcript) || "{}");
      const fresh =
        data !== null &&
        typeof data === "object" &&
        typeof data.savedAt === "number" &&
        Date.now() - data.savedAt < CONFIG.transcriptMaxAgeMs &&
        Array.isArray(data.entries);
      if (!fresh) {
        store.remove(STORAGE.transcript);
        return [];
      }
      return data.entries.filter(isEntry);
    } catch {
      return [];
    }
  }

  function saveTranscript() {
    const kept = state.entries
      .filter((entry) => !entry.ephemeral)
      .slice(-CONFIG.maxStoredEntries)
      .map((entry) => ({ ...entry, text: maskPersonalNumbers(entry.text) }));
    store.set(STORAGE.transcript, JSON.stringify({ savedAt: Date.now(), entries: kept }));
  }

  // ---- entries ----

  function newId() {
    idCounter += 1;
    return "e" + Date.now().toString(36) + "-" + idCounter;
  }

  function safeImageUrl(value) {
    if (typeof value !== "string") return null;
    if (/^https?:\/\//i.test(value) || /^\/(?!\/)/.test(value)) return value;
    return null;
  }

  function messageEntry(message, role) {
    const buttons = Array.isArray(message.buttons)
      ? message.buttons
          .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
          .map((b) => ({ title: b.title, payload: b.payload }))
      : [];
    return {
      id: newId(),
      role,
      text: typeof message.text === "string" ? message.text : "",
      buttons,
      image: safeImageUrl(message.image),
      staffName: typeof message.staff_name === "string" ? message.staff_name : "",
      used: false,
      chosen: null,
    };
  }

  function hasContent(entry) {
    return Boolean(entry.text.trim() || entry.image || entry.buttons.length);
  }

  function noticeEntry(text, tone, ephemeral) {
    return { id: newId(), role: "notice", text, tone, ephemeral: Boolean(ephemeral) };
  }

  function hasAssistantEntry() {
    return state.entries.some((entry) => entry.role === "bot" || entry.role === "staff");
  }

  function addEntry(entry) {
    state.entries.push(entry);
    const row = renderEntry(entry);
    rows.set(entry.id, row);
    dom.transcript.append(row);
    saveTranscript();
    scrollToEnd();
    return entry;
  }

  function clearEntries() {
    state.entries = [];
    rows.clear();
    dom.transcript.replaceChildren();
    saveTranscript();
  }

  // ---- rendering (DOM nodes and textContent only: bot text never becomes HTML) ----

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function makeLink(url) {
    const link = el("a", "link", url);
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.append(el("span", "visually-hidden", S.linkNewWindow));
    return link;
  }

  function isWebUrl(text) {
    try {
      const url = new URL(text);
      return (url.protocol === "http:" || url.protocol === "https:") && Boolean(url.hostname);
    } catch {
      return false;
    }
  }

  function appendLinkified(parent, text) {
    let last = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      const trailing = match[0].match(TRAILING_PUNCTUATION);
      const url = trailing ? match[0].slice(0, -trailing[0].length) : match[0];
      if (!isWebUrl(url)) continue;
      if (match.index > last) parent.append(text.slice(last, match.index));
      parent.append(makeLink(url));
      last = match.index + url.length;
    }
    if (last < text.length) parent.append(text.slice(last));
  }

  function renderChoices(entry) {
    const group = el("div", "choices");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", S.buttonsLabel);
    entry.buttons.forEach((button, index) => {
      const choice = el("button", "choice", button.title);
      choice.type = "button";
      choice.dataset.index = String(index);
      choice.addEventListener("click", () => onChoice(entry, index));
      group.append(choice);
    });
    return group;
  }

  function speakerLabel(entry) {
    if (entry.role === "staff") {
      const label = entry.staffName ? S.staffNamed.replace("{name}", entry.staffName) : S.staffSpeaker;
      return el("span", "speaker", label);
    }
    return el("span", "visually-hidden", entry.role === "user" ? S.userSpeaker : S.botSpeaker);
  }

  function renderEntry(entry) {
    const row = el("div", "row row-" + entry.role);
    row.dataset.entryId = entry.id;
    if (entry.role === "notice") {
      row.append(el("p", entry.tone === "error" ? "notice notice-error" : "notice", entry.text));
      return row;
    }
    const bubble = el("div", "bubble bubble-" + entry.role);
    bubble.append(speakerLabel(entry));
    if (entry.text) {
      const text = el("div", "text");
      if (entry.role === "user") text.textContent = entry.text;
      else appendLinkified(text, entry.text);
      bubble.append(text);
    }
    const image = safeImageUrl(entry.image);
    if (image) {
      const img = el("img", "image");
      img.src = image;
      img.alt = S.imageAlt;
      img.loading = "lazy";
      img.addEventListener("load", scrollToEnd);
      bubble.append(img);
    }
    row.append(bubble);
    if (entry.role === "user" && entry.failed) row.append(el("p", "delivery-failed", S.notDelivered));
    if (entry.role === "user" && typeof entry.receipt === "string" && entry.receipt) {
      row.append(receiptNode(entry.receipt));
    }
    if (Array.isArray(entry.buttons) && entry.buttons.length) {
      row.append(renderChoices(entry));
      syncChoicesOf(entry, row);
    }
    return row;
  }

  function syncChoicesOf(entry, row) {
    row.querySelectorAll("button.choice").forEach((button) => {
      const chosen = Boolean(entry.used) && entry.chosen === Number(button.dataset.index);
      button.disabled = Boolean(entry.used) || state.pending;
      button.classList.toggle("chosen", chosen);
    });
  }

  // Buttons of earlier questions stop working once a newer question offers its own (after a
  // side question the form asks again): the page never shows two live sets.
  function retireChoices() {
    for (const entry of state.entries) {
      if (Array.isArray(entry.buttons) && entry.buttons.length && !entry.used) {
        entry.used = true;
        entry.chosen = null;
        const row = rows.get(entry.id);
        if (row) syncChoicesOf(entry, row);
      }
    }
  }

  function syncChoices() {
    for (const entry of state.entries) {
      const row = rows.get(entry.id);
      if (row && Array.isArray(entry.buttons) && entry.buttons.length) syncChoicesOf(entry, row);
    }
  }

  // While staff answer, each message of the citizen gets a quiet status under it (the gateway's
  // "receipt": delivered to the staff member): a status line, not a bubble, so it never reads as
  // the assistant speaking.
  function receiptNode(text) {
    const node = el("p", "delivery-receipt", text);
    node.setAttribute("role", "status");
    return node;
  }

  function markDelivered(entry, text) {
    if (!entry || typeof text !== "string" || !text.trim()) return;
    entry.receipt = text;
    const row = rows.get(entry.id);
    if (!row) return;
    const old = row.querySelector(".delivery-receipt");
    if (old) old.remove();
    row.append(receiptNode(text));
  }

  function markFailed(entry) {
    entry.failed = true;
    const row = rows.get(entry.id);
    if (row && !row.querySelector(".delivery-failed")) {
      row.append(el("p", "delivery-failed", S.notDelivered));
    }
  }

  function scrollToEnd() {
    dom.scroller.scrollTop = dom.scroller.scrollHeight;
    state.atEnd = true;
  }

  // Keep the newest message in view when the visible area shrinks or grows (banner shown, larger
  // text, phone keyboard opened), unless the citizen has scrolled up to reread something.
  function followResizes() {
    dom.scroller.addEventListener("scroll", () => {
      const { scrollTop, scrollHeight, clientHeight } = dom.scroller;
      state.atEnd = scrollHeight - scrollTop - clientHeight < 48;
    });
    if (!("ResizeObserver" in window)) return;
    const observer = new ResizeObserver(() => {
      if (state.atEnd) scrollToEnd();
    });
    observer.observe(dom.scroller);
    observer.observe(dom.transcript);
  }

  // ---- sending ----

  function setPending(on) {
    state.pending = on;
    dom.typing.hidden = !on;
    // readOnly rather than disabled keeps the focus, so a phone keyboard does not close and reopen.
    dom.input.readOnly = on;
    dom.input.setAttribute("aria-disabled", String(on));
    dom.send.disabled = on;
    dom.restart.disabled = on;
    dom.transcript.setAttribute("aria-busy", String(on));
    syncChoices();
    if (on) scrollToEnd();
  }

  async function readJson(response) {
    try {
      return await response.json();
    } catch {
      return null;
    }
  }

  function errorOf(data) {
    return data && typeof data.error === "object" && data.error !== null ? data.error : {};
  }

  function showReplies(data) {
    const notices = data && Array.isArray(data.notices) ? data.notices : [];
    for (const text of notices) {
      if (typeof text === "string" && text.trim()) addEntry(noticeEntry(text, "info", false));
    }
    const messages = data && Array.isArray(data.messages) ? data.messages : [];
    const offersChoices = messages.some(
      (message) => message && Array.isArray(message.buttons) && message.buttons.length,
    );
    if (offersChoices) retireChoices(); // one live set of buttons: the newest question's
    for (const message of messages) {
      if (message === null || typeof message !== "object") continue;
      const entry = messageEntry(message, message.from === "staff" ? "staff" : "bot");
      if (hasContent(entry)) addEntry(entry);
    }
  }

  /**
   * Send `message` to the assistant and show its replies.
   * @returns {Promise<string>} "ok", "unavailable", "error", "timeout" or "busy".
   */
  async function sendMessage(message, options = {}) {
    const { display = message, silent = false, choice = null, typed = false } = options;
    if (state.pending) return "busy";
    const userEntry = silent ? null : addEntry({ id: newId(), role: "user", text: display });
    setPending(true);
    const controller = new AbortController();
    const timer = window.setTimeout(() => controller.abort(), CONFIG.replyTimeoutMs);
    let outcome;
    try {
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ sender: state.sender, message }),
        signal: controller.signal,
        cache: "no-store",
      });
      const data = await readJson(response);
      if (response.ok) {
        hideUnavailable();
        if (data && userEntry) markDelivered(userEntry, data.receipt);
        showReplies(data);
        outcome = "ok";
      } else if (response.status >= 500) {
        showUnavailable(errorOf(data).hotline);
        outcome = "unavailable";
      } else {
        const text = errorOf(data).message;
        addEntry(noticeEntry(typeof text === "string" && text ? text : S.requestError, "error"));
        outcome = "error";
      }
    } catch {
      if (controller.signal.aborted) {
        addEntry(noticeEntry(S.replyTimeout, "error", true));
        outcome = "timeout";
      } else {
        showUnavailable(null);
        outcome = "unavailable";
      }
    } finally {
      window.clearTimeout(timer);
    }
    if (outcome === "unavailable" || outcome === "error") {
      if (userEntry) markFailed(userEntry);
      if (choice) {
        choice.used = false;
        choice.chosen = null;
      }
      if (typed && !dom.input.value) {
        dom.input.value = message; // give the citizen their words back to send again
        autoGrow();
      }
    }
    setPending(false);
    saveTranscript();
    return outcome;
  }

  function onChoice(entry, index) {
    if (state.pending || entry.used) return;
    entry.used = true;
    entry.chosen = index;
    const button = entry.buttons[index];
    sendMessage(button.payload, { display: button.title, choice: entry });
  }

  function submitTyped() {
    if (state.pending) return;
    const text = dom.input.value.trim();
    if (!text) {
      dom.input.focus();
      return;
    }
    dom.input.value = "";
    autoGrow();
    sendMessage(text, { typed: true });
  }

  async function restartAndGreet() {
    store.set(STORAGE.restartPending, "1"); // finished later if the service is down now
    const outcome = await sendMessage("/restart", { silent: true });
    if (outcome === "unavailable" || outcome === "busy") return;
    store.remove(STORAGE.restartPending);
    if (outcome === "ok" && !hasAssistantEntry()) await sendMessage("/greet", { silent: true });
  }

  function restart() {
    if (state.pending) return;
    clearEntries();
    dom.input.value = "";
    autoGrow();
    restartAndGreet();
  }

  function resumeConversation() {
    if (store.get(STORAGE.restartPending)) restartAndGreet();
    else if (!hasAssistantEntry()) sendMessage("/greet", { silent: true });
  }

  // ---- service availability ----

  function setHotline(hotline) {
    if (typeof hotline !== "string" || !/^[0-9+\- ]{3,20}$/.test(hotline)) return;
    dom.hotline.textContent = hotline;
    dom.hotline.href = "tel:" + hotline.replace(/[^0-9+]/g, "");
    dom.hotline.setAttribute("aria-label", S.hotlineCallLabel.replace("{hotline}", hotline));
  }

  function showUnavailable(hotline) {
    setHotline(hotline);
    state.unavailable = true;
    dom.banner.hidden = false;
    if (health.timer === null) {
      health.delay = CONFIG.healthFirstDelayMs;
      scheduleHealth();
    }
  }

  function hideUnavailable() {
    state.unavailable = false;
    dom.banner.hidden = true;
    window.clearTimeout(health.timer);
    health.timer = null;
  }

  function scheduleHealth() {
    health.timer = window.setTimeout(pollHealth, health.delay);
    health.delay = Math.min(health.delay * 2, CONFIG.healthMaxDelayMs);
  }

  async function fetchHealth() {
    const controller = new AbortController();
    const timer = window.setTimeout(() => controller.abort(), CONFIG.healthTimeoutMs);
    try {
      const response = await fetch("/api/chat/health", {
        cache: "no-store",
        headers: { Accept: "application/json" },
        signal: controller.signal,
      });
      const data = await readJson(response);
      return {
        available: response.ok && data !== null && data.available === true,
        hotline: data ? data.hotline : null,
      };
    } catch {
      return { available: false, hotline: null };
    } finally {
      window.clearTimeout(timer);
    }
  }

  async function pollHealth() {
    health.timer = null;
    const status = await fetchHealth();
    setHotline(status.hotline);
    if (!state.unavailable) return; // a chat reply got through meanwhile
    if (status.available) {
      hideUnavailable();
      addEntry(noticeEntry(S.recovered, "info", true));
      resumeConversation();
    } else if (health.timer === null) {
      scheduleHealth();
    }
  }

  async function checkHealthOnce() {
    const status = await fetchHealth();
    setHotline(status.hotline);
    if (!status.available && !state.unavailable) showUnavailable(status.hotline);
  }

  // ---- messages pushed by hotline staff ----

  function onPushed(data) {
    let payload;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    if (payload === null || typeof payload !== "object") return;
    if (payload.type === "status") {
      if (typeof payload.text === "string" && payload.text.trim()) {
        addEntry(noticeEntry(payload.text, "info", false));
      }
      return;
    }
    const entry = messageEntry(payload, payload.from === "staff" ? "staff" : "bot");
    if (hasContent(entry)) {
      addEntry(entry);
      syncChoices();
    }
  }

  function connectEvents() {
    events.timer = null;
    if (!("EventSource" in window)) return;
    const source = new EventSource("/api/chat/" + encodeURIComponent(state.sender) + "/events");
    source.addEventListener("open", () => {
      events.delay = CONFIG.eventsFirstDelayMs;
    });
    source.addEventListener("message", (event) => onPushed(event.data));
    source.addEventListener("error", () => {
      // CONNECTING: the browser retries by itself. CLOSED (a 404, or not an event stream): we do.
      if (source.readyState !== EventSource.CLOSED) return;
      source.close();
      events.timer = window.setTimeout(connectEvents, events.delay);
      events.delay = Math.min(events.delay * 2, CONFIG.eventsMaxDelayMs);
    });
  }

  // ---- controls ----

  function autoGrow() {
    const input = dom.input;
    input.style.height = "auto";
    const borders = input.offsetHeight - input.clientHeight;
    input.style.height = input.scrollHeight + borders + "px";
  }

  function applyLargeText(on) {
    document.documentElement.classList.toggle("large-text", on);
    dom.largeText.setAttribute("aria-pressed", String(on));
  }

  function bindControls() {
    dom.composer.addEventListener("submit", (event) => {
      event.preventDefault();
      submitTyped();
    });
    dom.input.addEventListener("keydown", (event) => {
      // Enter while a Chinese input method is composing picks a candidate; it must not send.
      if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) {
        return;
      }
      event.preventDefault();
      submitTyped();
    });
    dom.input.addEventListener("input", autoGrow);
    dom.largeText.addEventListener("click", () => {
      const on = !document.documentElement.classList.contains("large-text");
      applyLargeText(on);
      store.set(STORAGE.largeText, on ? "1" : "0");
      autoGrow();
      scrollToEnd();
    });
    dom.restart.addEventListener("click", restart);
    window.addEventListener("resize", autoGrow); // a turned phone wraps the placeholder anew
    window.addEventListener("online", () => {
      if (!state.unavailable) return;
      window.clearTimeout(health.timer);
      health.timer = null;
      pollHealth();
    });
  }

  function readStrings() {
    Object.assign(S, document.getElementById("ui-strings").dataset);
  }

  function boot() {
    dom.transcript = document.getElementById("transcript");
    dom.scroller = document.getElementById("scroller");
    dom.typing = document.getElementById("typing-indicator");
    dom.composer = document.getElementById("composer");
    dom.input = document.getElementById("message-input");
    dom.send = document.getElementById("send-button");
    dom.restart = document.getElementById("restart-button");
    dom.largeText = document.getElementById("large-text-toggle");
    dom.banner = document.getElementById("unavailable-banner");
    dom.hotline = document.getElementById("hotline-link");
    readStrings();
    setHotline(S.hotlineDefault);
    applyLargeText(store.get(STORAGE.largeText) === "1");
    // Sized for the text size just chosen: in large text the placeholder may take two lines.
    autoGrow();

    state.sender = loadSender();
    state.entries = loadTranscript();
    for (const entry of state.entries) {
      const row = renderEntry(entry);
      rows.set(entry.id, row);
      dom.transcript.append(row);
    }
    scrollToEnd();
    followResizes();
    bindControls();
    document.documentElement.classList.add("js-ready");

    if (store.get(STORAGE.restartPending) || !hasAssistantEntry()) resumeConversation();
    else checkHealthOnce();
    connectEvents();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
