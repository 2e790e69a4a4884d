/*
 * Staff console: live queue, claim, case summary, transcript, reply, note, close, hand back.
 * Plain browser JavaScript, no build step, no dependencies. Labels come from the page
 * (#console-strings, rendered from strings.yml); this file holds no Chinese text.
 * Talks to /api/handoff (same origin; the session cookie authenticates every call).
 */
(() => {
  "use strict";

  const S = JSON.parse(document.getElementById("console-strings").textContent);
  const staffNode = document.getElementById("console-staff");
  const ME = staffNode ? JSON.parse(staffNode.textContent) : null;
  const state = { queue: [], open: null, ticketSource: null, lastMessageId: 0, deskOpen: false };
  const $ = (id) => document.getElementById(id);

  function t(key, values) {
    let text = Object.prototype.hasOwnProperty.call(S, key) ? S[key] : key;
    for (const [name, value] of Object.entries(values || {})) {
      text = text.split("{" + name + "}").join(String(value));
    }
    return text;
  }

  function label(prefix, code, fallbackKey) {
    if (code && Object.prototype.hasOwnProperty.call(S, prefix + code)) return S[prefix + code];
    if (fallbackKey) return t(fallbackKey);
    return code || "";
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function waited(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return t("minutes_seconds", { m: Math.floor(s / 60), s: s % 60 });
  }

  function localTime(iso) {
    if (!iso) return "";
    const value = new Date(iso.endsWith("Z") || iso.includes("+") ? iso : iso + "Z");
    return value.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" });
  }

  async function api(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: body === undefined ? { Accept: "application/json" } : { "Content-Type": "application/json", Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
    if (response.status === 401) {
      window.location.assign("/console/login");
      throw new Error("401");
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      const message = data && data.error && data.error.message ? data.error.message : String(response.status);
      const error = new Error(message);
      error.status = response.status;
      error.code = data && data.error ? data.error.code : "";
      throw error;
    }
    return data;
  }

  function showMessage(id, text) {
    const node = $(id);
    node.textContent = text || "";
    node.hidden = !text;
  }

  // ---- queue ----

  function renderQueue() {
    const body = $("queue-body");
    body.replaceChildren();
    const received = Date.now();
    for (const item of state.queue) {
      const row = el("tr", "ticket-row " + item.urgency + " " + item.status);
      row.dataset.ticketId = String(item.id);
      row.append(el("td", "urgency", label("urgency_", item.urgency)));
      row.append(el("td", "", label("channel_", item.channel)));
      row.append(el("td", "", label("service_", item.service, "service_none")));
      const reason = label("reason_", item.reason, "reason_other");
      row.append(el("td", "", item.reason_detail ? reason + " · " + item.reason_detail : reason));
      const wait = el("td", "waiting", waited(item.waiting_seconds));
      wait.dataset.base = String(item.waiting_seconds);
      wait.dataset.since = String(received);
      wait.dataset.ticking = item.status === "waiting" ? "1" : "";
      row.append(wait);
      const status = item.status === "waiting"
        ? t("position", { position: item.position })
        : t("claimed_by", { name: item.claimed_by || "" });
      row.append(el("td", "status", status));
      const cell = el("td", "action");
      if (item.status === "waiting") {
        const button = el("button", "claim", t("claim"));
        button.type = "button";
        button.addEventListener("click", () => claim(item.id));
        cell.append(button);
      } else if (ME && (item.claimed_by_id === ME.id || ME.role === "supervisor")) {
        const button = el("button", "open secondary", t("open_ticket"));
        button.type = "button";
        button.addEventListener("click", () => openTicket(item.id));
        cell.append(button);
      }
      row.append(cell);
      body.append(row);
    }
    $("queue-empty").hidden = state.queue.length > 0;
  }

  function tickWaiting() {
    for (const cell of document.querySelectorAll("td.waiting[data-ticking='1']")) {
      const base = Number(cell.dataset.base);
      const since = Number(cell.dataset.since);
      cell.textContent = waited(base + (Date.now() - since) / 1000);
    }
  }

  function renderDeskState(snapshot) {
    state.deskOpen = snapshot.open;
    $("desk-state").textContent =
      (snapshot.open ? t("desk_open") : t("desk_closed")) + " · " + t("staff_online", { count: snapshot.staff_available });
  }

  function connectQueue() {
    const source = new EventSource("/api/handoff/queue/events");
    source.addEventListener("open", () => {
      $("queue-live").hidden = false;
      $("queue-live").textContent = t("queue_live");
    });
    source.addEventListener("queue", (event) => {
      const snapshot = JSON.parse(event.data);
      state.queue = snapshot.tickets;
      renderQueue();
      renderDeskState(snapshot);
      if (state.open) {
        const mine = state.queue.find((item) => item.id === state.open);
        if (!mine) refreshTicketHeader();
      }
    });
    source.addEventListener("error", () => {
      $("queue-live").textContent = t("queue_reconnecting");
      if (source.readyState === EventSource.CLOSED) window.setTimeout(connectQueue, 3000);
    });
  }

  async function claim(id) {
    showMessage("queue-message", "");
    try {
      await api("POST", "/api/handoff/tickets/" + id + "/claim");
    } catch (error) {
      showMessage("queue-message", error.status === 409 ? t("claim_lost") : t("action_failed", { reason: error.message }));
      return;
    }
    await openTicket(id);
  }

  // ---- duty ----

  function renderDuty() {
    const until = ME && ME.on_duty_until ? new Date(ME.on_duty_until + "Z") : null;
    const on = until !== null && until.getTime() > Date.now();
    $("duty-toggle").textContent = on ? t("duty_off") : t("duty_on");
    $("duty-toggle").dataset.on = on ? "1" : "";
    $("duty-until").textContent = on ? t("duty_until", { time: localTime(ME.on_duty_until) }) : "";
  }

  async function toggleDuty() {
    const on = !$("duty-toggle").dataset.on;
    try {
      const me = await api("POST", "/api/handoff/duty", { on });
      ME.on_duty_until = me.on_duty_until;
      renderDuty();
    } catch (error) {
      showMessage("queue-message", t("action_failed", { reason: error.message }));
    }
  }

  // ---- ticket ----

  function renderSummary(view) {
    const summary = view.summary || {};
    const list = $("summary");
    list.replaceChildren();
    const add = (key, value) => {
      list.append(el("dt", "", t(key)));
      list.append(el("dd", "", value === undefined || value === null || value === "" ? t("summary_none") : String(value)));
    };
    add("summary_channel", label("channel_", summary.channel || view.ticket.channel));
    add("summary_first_words", summary.first_words || t("summary_first_words_none"));
    const serviceLabel = label("service_", view.ticket.service, "service_none");
    const guessed = summary.service_inferred && summary.service_inferred === view.ticket.service;
    add("summary_service", guessed ? t("summary_service_inferred", { service: serviceLabel }) : serviceLabel);
    const references = Array.isArray(summary.references) ? summary.references : [];
    add("summary_references", references.join(" "));
    const reason = label("reason_", view.ticket.reason, "reason_other");
    add("summary_reason", view.ticket.reason_detail ? reason + " · " + view.ticket.reason_detail : reason);
    if (summary.crisis) add("summary_crisis", view.ticket.reason_detail || summary.crisis);
    add("summary_form", summary.active_form || "");
    const slots = summary.slots || {};
    const entries = Object.entries(slots);
    list.append(el("dt", "", t("summary_slots")));
    const dd = el("dd", "slots");
    if (!entries.length) dd.textContent = t("summary_none");
    for (const [name, value] of entries) {
      const line = el("div", "slot");
      line.append(el("code", "", name));
      line.append(document.createTextNode(" " + (typeof value === "object" ? JSON.stringify(value) : String(value))));
      dd.append(line);
    }
    list.append(dd);
  }

  function appendMessage(message) {
    if (message.id <= state.lastMessageId) return;
    state.lastMessageId = message.id;
    const item = el("li", "msg msg-" + message.kind);
    item.dataset.messageId = String(message.id);
    const who = message.kind === "staff" && message.staff_name
      ? t("kind_staff") + " · " + message.staff_name
      : t("kind_" + message.kind);
    const head = el("div", "msg-head");
    head.append(el("span", "who", who));
    head.append(el("time", "", localTime(message.created_at)));
    item.append(head);
    item.append(el("div", "msg-text", message.text));
    if (Array.isArray(message.buttons) && message.buttons.length) {
      item.append(el("div", "msg-buttons", message.buttons.map((b) => "[" + b.title + "]").join(" ")));
    }
    $("transcript").append(item);
    item.scrollIntoView({ block: "nearest" });
  }

  function setTicketControls(ticket) {
    const mine = ticket.status === "claimed" && ME && (ticket.claimed_by_id === ME.id || ME.role === "supervisor");
    for (const id of ["reply-text", "reply-send", "hand-back", "resume-point"]) $(id).disabled = !mine;
    $("close-ticket").disabled = !(mine || (ME && ME.role === "supervisor" && ticket.status === "waiting"));
    $("ticket-title").textContent =
      t("ticket_title", { id: ticket.id }) + " · " + label("status_", ticket.status) + " · " + label("urgency_", ticket.urgency);
  }

  async function refreshTicketHeader() {
    if (!state.open) return;
    try {
      const view = await api("GET", "/api/handoff/tickets/" + state.open);
      setTicketControls(view.ticket);
    } catch {
      /* shown on the next action */
    }
  }

  async function openTicket(id) {
    showMessage("ticket-message", "");
    const view = await api("GET", "/api/handoff/tickets/" + id);
    if (state.ticketSource) state.ticketSource.close();
    state.open = id;
    state.lastMessageId = 0;
    $("transcript").replaceChildren();
    $("ticket-none").hidden = true;
    $("ticket").hidden = false;
    renderSummary(view);
    for (const message of view.messages) appendMessage(message);
    setTicketControls(view.ticket);
    const source = new EventSource("/api/handoff/tickets/" + id + "/events?after=" + state.lastMessageId);
    source.addEventListener("message", (event) => {
      if (state.open !== id) return;
      appendMessage(JSON.parse(event.data));
    });
    state.ticketSource = source;
  }

  async function ticketAction(method, suffix, body) {
    showMessage("ticket-message", "");
    try {
      return await api(method, "/api/handoff/tickets/" + state.open + suffix, body);
    } catch (error) {
      showMessage("ticket-message", t("action_failed", { reason: error.message }));
      return null;
    }
  }

  // A text form of the open ticket (the reply, an internal note): posted to `path`, then shown.
  function bindTextForm(formId, textId, path) {
    $(formId).addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = $(textId).value.trim();
      if (!text || !state.open) return;
      const saved = await ticketAction("POST", path, { text });
      if (saved) {
        $(textId).value = "";
        appendMessage(saved);
      }
    });
  }

  function bindTicket() {
    bindTextForm("reply-form", "reply-text", "/reply");
    $("reply-text").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        $("reply-form").requestSubmit();
      }
    });
    bindTextForm("note-form", "note-text", "/notes");
    $("hand-back").addEventListener("click", async () => {
      const done = await ticketAction("POST", "/hand-back", { resume_intent: $("resume-point").value });
      if (done) setTicketControls(done);
    });
    $("close-ticket").addEventListener("click", async () => {
      const done = await ticketAction("POST", "/close");
      if (done) setTicketControls(done);
    });
  }

  // ---- pages ----

  function bootDesk() {
    renderDuty();
    $("duty-toggle").addEventListener("click", toggleDuty);
    bindTicket();
    connectQueue();
    window.setInterval(tickWaiting, 1000);
  }

  function bootCallbacks() {
    for (const button of document.querySelectorAll("button.callback-done")) {
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          await api("POST", "/api/handoff/callbacks/" + button.dataset.id + "/done");
          window.location.reload();
        } catch {
          button.disabled = false;
        }
      });
    }
  }

  function bootSupervisor() {
    window.setTimeout(() => window.location.reload(), 15000);
  }

  const page = document.body.dataset.page;
  if (page === "desk") bootDesk();
  else if (page === "callbacks") bootCallbacks();
  else if (page === "supervisor") bootSupervisor();
})();
