// Rendering of a message list: bubbles, status ticks, day separators and
// safe links. Elements are kept per message and only rebuilt when what they
// show changes, so scrolling, text selection and focus survive updates.

import { buildAttachment } from "./attachments.js";
import { placeChildren } from "./dom.js";
import { currentLocale, t } from "./i18n.js";
import { icon } from "./icons.js";
import { dayKey, dayLabel, formatClock, formatFull } from "./time.js";

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?]+$/;

const STATUSES = new Set(["pending", "failed", "sent", "delivered", "seen"]);

function statusText(status) {
  return t(`status.${STATUSES.has(status) ? status : "sent"}`);
}

const STATUS_ICON = { pending: "clock", failed: "alert", sent: "tick", delivered: "ticks", seen: "ticks" };

/**
 * Drop the punctuation that probably ends the sentence, not the URL.
 * @param {string} match
 * @returns {string} the URL part of the match
 */
function trimUrl(match) {
  let url = match.replace(TRAILING_PUNCTUATION, "");
  if (url.endsWith(")") && !url.includes("(")) url = url.slice(0, -1);
  return url;
}

/**
 * A safe http(s) URL, or null for anything else.
 * @param {string} text
 * @returns {URL|null}
 */
function safeUrl(text) {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}

/**
 * An anchor to an http(s) URL that opens in a new tab without giving the
 * target page access to this one; null for any other scheme.
 * @param {string} href
 * @param {string} [text] shown text (defaults to the URL)
 * @returns {HTMLAnchorElement|null}
 */
export function safeLink(href, text = href) {
  const url = safeUrl(href);
  return url ? linkElement(url, text) : null;
}

function linkElement(url, text) {
  const link = document.createElement("a");
  link.href = url.href;
  link.textContent = text;
  link.rel = "noopener noreferrer nofollow";
  link.target = "_blank";
  return link;
}

/**
 * Append text to an element, turning http and https URLs into links. Only
 * text nodes and anchors built here are created; no markup is parsed.
 * @param {HTMLElement} parent
 * @param {string} text
 */
export function appendLinkified(parent, text) {
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const candidate = trimUrl(match[0]);
    const url = safeUrl(candidate);
    if (!url) continue;
    parent.append(document.createTextNode(text.slice(last, match.index)));
    parent.append(linkElement(url, candidate));
    last = match.index + candidate.length;
  }
  parent.append(document.createTextNode(text.slice(last)));
}

/**
 * The tick (or clock) of an own message, labelled for screen readers.
 * @param {string} status
 * @returns {HTMLSpanElement}
 */
export function statusBadge(status) {
  const badge = document.createElement("span");
  badge.className = `message__status message__status--${status}`;
  badge.setAttribute("role", "img");
  badge.setAttribute("aria-label", statusText(status));
  badge.title = statusText(status);
  badge.append(icon(STATUS_ICON[status] || "tick", "tick"));
  return badge;
}

function messageKey(message) {
  return message.client_id ? `${message.sender}:${message.client_id}` : `seq:${message.seq}`;
}

/**
 * Renders an ordered list of messages into a container element.
 */
export class MessageListView {
  /**
   * @param {HTMLElement} container element that receives the bubbles
   * @param {object} options
   * @param {string} options.ownSender "visitor" or "agent": whose bubbles get ticks
   * @param {(message: object, previous: object|null) => string|null} [options.authorLabel]
   *   name shown above a bubble, or null for none
   */
  constructor(container, { ownSender, authorLabel = () => null }) {
    this.container = container;
    this.ownSender = ownSender;
    this.authorLabel = authorLabel;
    /** @type {Map<string, {element: HTMLElement, signature: string}>} */
    this.cache = new Map();
  }

  /**
   * Show exactly these messages, in this order, with day separators, and
   * each line right after the message it follows.
   * @param {object[]} messages
   * @param {{after_seq: number, element: Element}[]} [lines] in order
   */
  render(messages, lines = []) {
    const now = new Date();
    const lastSeen = this.#lastSeenIndex(messages);
    const nodes = [];
    const used = new Set();
    let previous = null;
    let nextLine = 0;
    const placeLinesBefore = (seq) => {
      while (nextLine < lines.length && lines[nextLine].after_seq < seq) nodes.push(lines[nextLine++].element);
    };
    messages.forEach((message, index) => {
      // Pending messages (no seq yet) come after every line.
      placeLinesBefore(Number.isInteger(message.seq) ? message.seq : Infinity);
      const day = dayKey(message.created_at);
      if (!previous || dayKey(previous.created_at) !== day) {
        nodes.push(this.#separator(day, message.created_at, now, used));
        previous = null;
      }
      nodes.push(this.#bubble(message, previous, index === lastSeen, used));
      previous = message;
    });
    placeLinesBefore(Infinity);
    placeChildren(this.container, nodes);
    for (const key of this.cache.keys()) if (!used.has(key)) this.cache.delete(key);
  }

  #lastSeenIndex(messages) {
    for (let index = messages.length - 1; index >= 0; index -= 1) {
      const message = messages[index];
      if (message.sender === this.ownSender && message.status === "seen") return index;
    }
    return -1;
  }

  #separator(day, createdAt, now, used) {
    const key = `day:${day}`;
    const label = dayLabel(createdAt, now);
    return this.#cached(key, label, used, () => {
      const separator = document.createElement("div");
      separator.className = "day-separator";
      separator.setAttribute("role", "separator");
      const text = document.createElement("span");
      text.textContent = label;
      separator.append(text);
      return separator;
    });
  }

  #bubble(message, previous, isLastSeen, used) {
    const own = message.sender === this.ownSender;
    const author = this.authorLabel(message, previous);
    const signature = [message.body, message.file?.id, message.status, message.error, isLastSeen, author,
      message.created_at, own, currentLocale()].join("\u0000");
    return this.#cached(messageKey(message), signature, used,
      () => buildBubble(message, { own, author, isLastSeen }));
  }

  #cached(key, signature, used, build) {
    used.add(key);
    const entry = this.cache.get(key);
    if (entry && entry.signature === signature) return entry.element;
    const element = build();
    if (entry) replaceKeepingFocus(entry.element, element);
    this.cache.set(key, { element, signature });
    return element;
  }
}

// A row rebuilt while the reader is on it (a receipt turned a found message
// "seen") keeps its highlight, its focus and its place in the tab order.
const KEPT_CLASSES = ["message--found"];

function replaceKeepingFocus(old, element) {
  for (const name of KEPT_CLASSES) if (old.classList.contains(name)) element.classList.add(name);
  if (old.hasAttribute("tabindex") && !element.hasAttribute("tabindex")) element.tabIndex = old.tabIndex;
  const focused = old === document.activeElement;
  old.replaceWith(element);
  if (focused) element.focus({ preventScroll: true });
}

/**
 * Build one message bubble.
 * @param {object} message
 * @param {{own: boolean, author: string|null, isLastSeen: boolean}} options
 * @returns {HTMLElement}
 */
export function buildBubble(message, { own, author, isLastSeen }) {
  const row = document.createElement("div");
  row.className = `message ${own ? "message--own" : "message--theirs"} message--${message.status}`;
  if (message.seq) row.dataset.seq = String(message.seq);
  if (author) {
    const name = document.createElement("span");
    name.className = "message__author";
    name.textContent = author;
    row.append(name);
  }
  const bubble = document.createElement("div");
  bubble.className = "message__bubble";
  if (message.file) {
    bubble.classList.add("message__bubble--file");
    bubble.append(buildAttachment(message.file));
  }
  // A file's message says the file's name, which the attachment shows already.
  if (!message.file || message.body !== message.file.name) {
    const body = document.createElement("p");
    body.className = "message__body";
    // Each message's text runs its own way (an English reply in an Arabic chat).
    body.dir = "auto";
    appendLinkified(body, message.body || "");
    bubble.append(body);
  }
  bubble.append(buildMeta(message, own));
  row.append(bubble);
  const note = buildNote(message, own, isLastSeen);
  if (note) row.append(note);
  return row;
}

function buildMeta(message, own) {
  const meta = document.createElement("span");
  meta.className = "message__meta";
  const time = document.createElement("time");
  time.className = "message__time";
  time.dateTime = message.created_at || "";
  time.title = formatFull(message.created_at);
  time.textContent = formatClock(message.created_at);
  meta.append(time);
  if (own) meta.append(statusBadge(message.status));
  return meta;
}

function buildNote(message, own, isLastSeen) {
  if (!own) return null;
  if (message.status === "failed") {
    const note = document.createElement("span");
    note.className = "message__note message__note--error";
    note.textContent = t("message.not_sent", { reason: message.error || t("message.refused") });
    return note;
  }
  if (!isLastSeen) return null;
  const note = document.createElement("span");
  note.className = "message__note message__note--seen";
  note.textContent = t("status.seen");
  return note;
}
