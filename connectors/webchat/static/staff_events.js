/*
 * Messages pushed by hotline staff:
 *   GET /api/chat/{sender}/events  Server-Sent Events (optional; a 404 is retried quietly with
 *                                  backoff)
 */

import { CONFIG } from "./config.js";
import { state } from "./page_state.js";
import { addEntry, syncChoices } from "./render.js";
import { hasContent, messageEntry, noticeEntry } from "./transcript.js";

const events = { timer: null, delay: CONFIG.eventsFirstDelayMs };

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

export function connectEvents() {
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
