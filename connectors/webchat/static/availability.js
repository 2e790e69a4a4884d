/*
 * Whether the service answers: the banner with the hotline, and polling
 *   GET /api/chat/health  {available, hotline}
 * with backoff until it is back.
 */

import { CONFIG, readJson } from "./config.js";
import { dom, S, state } from "./page_state.js";
import { addEntry } from "./render.js";
import { noticeEntry } from "./transcript.js";

const health = { timer: null, delay: CONFIG.healthFirstDelayMs };
let recovered = () => {};

/** Set what happens once the service is back (chat.js: sending's resumeConversation). */
export function onRecovered(handler) {
  recovered = handler;
}

export function setHotline(hotline) {
  if (typeof hotline !== "string" || !/^[0-9+\- ]{3,20}$/.test(hotline)) return;
  dom.hotline.textContent = hotline;
  dom.hotline.href = "tel:" + hotline.replace(/[^0-9+]/g, "");
  dom.hotline.setAttribute("aria-label", S.hotlineCallLabel.replace("{hotline}", hotline));
}

export function showUnavailable(hotline) {
  setHotline(hotline);
  state.unavailable = true;
  dom.banner.hidden = false;
  if (health.timer === null) {
    health.delay = CONFIG.healthFirstDelayMs;
    scheduleHealth();
  }
}

export function hideUnavailable() {
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
    recovered();
  } else if (health.timer === null) {
    scheduleHealth();
  }
}

export async function checkHealthOnce() {
  const status = await fetchHealth();
  setHotline(status.hotline);
  if (!status.available && !state.unavailable) showUnavailable(status.hotline);
}

/** Ask at once (the browser is back online) instead of waiting for the next poll. */
export function retryHealthNow() {
  if (!state.unavailable) return;
  window.clearTimeout(health.timer);
  health.timer = null;
  pollHealth();
}
