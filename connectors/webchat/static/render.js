/*
 * Showing the conversation: DOM nodes and textContent only, so bot text never becomes HTML.
 */

import { dom, rows, S, state } from "./page_state.js";
import { safeImageUrl, saveTranscript } from "./transcript.js";

// ASCII URL characters only, so Chinese text written right after a link is not swallowed.
const URL_PATTERN = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/g;
const TRAILING_PUNCTUATION = /[.,;:!?'")\]]+$/;

let choose = () => {};

/** Set what pressing a reply button does (chat.js: sending's onChoice). */
export function onChoose(handler) {
  choose = handler;
}

export function addEntry(entry) {
  state.entries.push(entry);
  const row = renderEntry(entry);
  rows.set(entry.id, row);
  dom.transcript.append(row);
  saveTranscript();
  scrollToEnd();
  return entry;
}

export function clearEntries() {
  state.entries = [];
  rows.clear();
  dom.transcript.replaceChildren();
  saveTranscript();
}

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
    choice.addEventListener("click", () => choose(entry, index));
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

export function renderEntry(entry) {
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
export function retireChoices() {
  for (const entry of state.entries) {
    if (Array.isArray(entry.buttons) && entry.buttons.length && !entry.used) {
      entry.used = true;
      entry.chosen = null;
      const row = rows.get(entry.id);
      if (row) syncChoicesOf(entry, row);
    }
  }
}

export function syncChoices() {
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

export function markDelivered(entry, text) {
  if (!entry || typeof text !== "string" || !text.trim()) return;
  entry.receipt = text;
  const row = rows.get(entry.id);
  if (!row) return;
  const old = row.querySelector(".delivery-receipt");
  if (old) old.remove();
  row.append(receiptNode(text));
}

export function markFailed(entry) {
  entry.failed = true;
  const row = rows.get(entry.id);
  if (row && !row.querySelector(".delivery-failed")) {
    row.append(el("p", "delivery-failed", S.notDelivered));
  }
}

export function scrollToEnd() {
  dom.scroller.scrollTop = dom.scroller.scrollHeight;
  state.atEnd = true;
}

// Keep the newest message in view when the visible area shrinks or grows (banner shown, larger
// text, phone keyboard opened), unless the citizen has scrolled up to reread something.
export function followResizes() {
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

export function autoGrow() {
  const input = dom.input;
  input.style.height = "auto";
  const borders = input.offsetHeight - input.clientHeight;
  input.style.height = input.scrollHeight + borders + "px";
}
