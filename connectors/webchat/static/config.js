/*
 * Settings, the browser's local storage and a JSON reader shared by the chat page's modules.
 * Timings can be overridden (tests do) by defining window.MZ_WEBCHAT_CONFIG before the page runs.
 */

export const CONFIG = Object.freeze({
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

export const STORAGE = {
  sender: "mzWebchat.sender",
  transcript: "mzWebchat.transcript",
  largeText: "mzWebchat.largeText",
  restartPending: "mzWebchat.restartPending",
};

// localStorage may be missing or full: the page then works but forgets.
export const store = {
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

export async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}
