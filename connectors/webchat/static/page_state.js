/*
 * What the chat page's modules share: its elements, its labels and the conversation on screen.
 */

export const dom = {}; // filled by boot() in chat.js
export const S = {}; // labels, from the data-* attributes of #ui-strings
export const state = { sender: "", entries: [], pending: false, unavailable: false, atEnd: true };
export const rows = new Map(); // entry id -> rendered row
