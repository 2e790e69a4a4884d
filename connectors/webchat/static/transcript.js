/*
 * The conversation as entries (user, bot, staff, notice) and its stored copy in this browser.
 */

import { CONFIG, STORAGE, store } from "./config.js";
import { state } from "./page_state.js";

const SENDER_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const ROLES = ["user", "bot", "staff", "notice"];
let idCounter = 0;

export function loadSender() {
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

export function loadTranscript() {
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

export function saveTranscript() {
  const kept = state.entries
    .filter((entry) => !entry.ephemeral)
    .slice(-CONFIG.maxStoredEntries)
    .map((entry) => ({ ...entry, text: maskPersonalNumbers(entry.text) }));
  store.set(STORAGE.transcript, JSON.stringify({ savedAt: Date.now(), entries: kept }));
}

export function newId() {
  idCounter += 1;
  return "e" + Date.now().toString(36) + "-" + idCounter;
}

export function safeImageUrl(value) {
  if (typeof value !== "string") return null;
  if (/^https?:\/\//i.test(value) || /^\/(?!\/)/.test(value)) return value;
  return null;
}

export function messageEntry(message, role) {
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

export function hasContent(entry) {
  return Boolean(entry.text.trim() || entry.image || entry.buttons.length);
}

export function noticeEntry(text, tone, ephemeral) {
  return { id: newId(), role: "notice", text, tone, ephemeral: Boolean(ephemeral) };
}

export function hasAssistantEntry() {
  return state.entries.some((entry) => entry.role === "bot" || entry.role === "staff");
}
