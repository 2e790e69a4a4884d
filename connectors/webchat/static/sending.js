/*
 * Sending a citizen's message (typed or a pressed button) and showing the replies:
 *   POST /api/chat  {sender, message} -> {messages: [...], notices: [...], receipt}
 */

import { hideUnavailable, showUnavailable } from "./availability.js";
import { CONFIG, readJson, STORAGE, store } from "./config.js";
import { dom, S, state } from "./page_state.js";
import {
  addEntry,
  autoGrow,
  clearEntries,
  markDelivered,
  markFailed,
  retireChoices,
  scrollToEnd,
  syncChoices,
} from "./render.js";
import {
  hasAssistantEntry,
  hasContent,
  messageEntry,
  newId,
  noticeEntry,
  saveTranscript,
} from "./transcript.js";

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
export async function sendMessage(message, options = {}) {
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

export function onChoice(entry, index) {
  if (state.pending || entry.used) return;
  entry.used = true;
  entry.chosen = index;
  const button = entry.buttons[index];
  sendMessage(button.payload, { display: button.title, choice: entry });
}

export function submitTyped() {
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

export function restart() {
  if (state.pending) return;
  clearEntries();
  dom.input.value = "";
  autoGrow();
  restartAndGreet();
}

export function resumeConversation() {
  if (store.get(STORAGE.restartPending)) restartAndGreet();
  else if (!hasAssistantEntry()) sendMessage("/greet", { silent: true });
}
