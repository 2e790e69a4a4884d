/*
 * Civil-affairs assistant: the citizen web chat page (an ES module; the page loads it with
 * <script type="module">, and it imports the others).
 *
 * Plain browser JavaScript, no build step and no dependencies. It talks to the gateway:
 *   POST /api/chat                  {sender, message} -> {messages: [...], notices: [...]}
 *   GET  /api/chat/health           {available, hotline}
 *   GET  /api/chat/{sender}/events  Server-Sent Events pushed by hotline staff (optional; a 404 is
 *                                   retried quietly with backoff)
 * Every label comes from the page (rendered from strings.yml); these files hold no Chinese text.
 * Timings can be overridden (tests do) by defining window.MZ_WEBCHAT_CONFIG before this runs.
 *
 * Modules: config.js (settings, storage), page_state.js (what the modules share),
 * transcript.js (entries and their stored copy), render.js (showing them), sending.js
 * (POST /api/chat), availability.js (the banner and health polling), staff_events.js (pushed
 * messages); this one binds the controls and starts the page.
 */

import {
  checkHealthOnce,
  onRecovered,
  retryHealthNow,
  setHotline,
} from "./availability.js";
import { STORAGE, store } from "./config.js";
import { dom, rows, S, state } from "./page_state.js";
import { autoGrow, followResizes, onChoose, renderEntry, scrollToEnd } from "./render.js";
import { onChoice, restart, resumeConversation, submitTyped } from "./sending.js";
import { connectEvents } from "./staff_events.js";
import { hasAssistantEntry, loadSender, loadTranscript } from "./transcript.js";

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
  window.addEventListener("online", retryHealthNow);
}

function readStrings() {
  Object.assign(S, document.getElementById("ui-strings").dataset);
}

function boot() {
  onChoose(onChoice);
  onRecovered(resumeConversation);
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
