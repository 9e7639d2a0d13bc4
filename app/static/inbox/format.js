// How conversations are named and described in the inbox.

import { t, textDirection } from "../common/i18n.js";

/**
 * The visitor's name, or "Visitor #ID" when they gave none.
 * @param {object} summary conversation summary
 * @returns {string}
 */
export function visitorName(summary) {
  const name = summary?.visitor?.name?.trim();
  return name || t("visitor.numbered", { id: summary?.id ?? "" });
}

/**
 * Up to two initials for an avatar (the conversation number for anonymous visitors).
 * @param {object} summary
 * @returns {string}
 */
export function initials(summary) {
  const name = summary?.visitor?.name?.trim();
  if (!name) return `#${String(summary?.id ?? "").slice(-3)}`;
  const words = name.split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : words[0].slice(0, 2);
  return letters.toUpperCase();
}

/**
 * A short form of a page URL for display ("example.com/pricing"), or null
 * when it is missing or not an http(s) URL.
 * @param {string|null|undefined} pageUrl
 * @returns {{href: string, text: string}|null}
 */
export function describePage(pageUrl) {
  if (!pageUrl) return null;
  try {
    const url = new URL(pageUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    const path = url.pathname === "/" ? "" : url.pathname;
    return { href: url.href, text: `${url.host}${path}${url.search}` };
  } catch {
    return null;
  }
}

/**
 * One-line preview of the last message; agents' replies are prefixed with
 * "You" or the replying agent's name.
 * @param {object|null} message
 * @param {string} agentName the agent using the inbox
 * @returns {string}
 */
export function previewText(message, agentName) {
  if (!message) return t("list.no_messages");
  const body = (message.body || "").replace(/\s+/g, " ").trim();
  if (message.sender !== "agent") return body;
  const author = message.author?.name;
  // On a right-to-left page the body is isolated, so a message in a
  // left-to-right language keeps its punctuation where it was written.
  const shown = textDirection() === "rtl" ? `\u2068${body}\u2069` : body;
  return t("list.preview", { author: !author || author === agentName ? t("list.you") : author, body: shown });
}

/**
 * Time of the latest activity in a conversation, for sorting.
 * @param {object} summary
 * @returns {number} milliseconds since the epoch
 */
export function activityTime(summary) {
  const value = summary.last_activity_at || summary.last_message?.created_at || summary.created_at;
  const time = Date.parse(value);
  return Number.isNaN(time) ? 0 : time;
}
