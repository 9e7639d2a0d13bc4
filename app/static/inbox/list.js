// The conversation list: summaries kept by id, newest activity first, one
// button per conversation. Items are updated in place so keyboard focus
// stays where it is while the list changes.

import { el, placeChildren } from "../common/dom.js";
import { formatFull, relativeTime } from "../common/time.js";
import { activityTime, describePage, initials, previewText, visitorName } from "./format.js";

const AVATAR_COLOURS = 6;
const TIME_REFRESH_MS = 30000;

export class ConversationList {
  /**
   * @param {object} options
   * @param {HTMLElement} options.listElement the <ul>
   * @param {HTMLElement} options.emptyElement shown when there are no conversations
   * @param {string} options.agentName
   * @param {(id: number) => void} options.onSelect
   * @param {(summaries: object[]) => void} [options.onChange] after every change
   */
  constructor({ listElement, emptyElement, agentName, onSelect, onChange = () => {} }) {
    this.listElement = listElement;
    this.emptyElement = emptyElement;
    this.agentName = agentName;
    this.onSelect = onSelect;
    this.onChange = onChange;
    /** @type {Map<number, object>} */
    this.summaries = new Map();
    /** @type {Map<number, {row: HTMLLIElement, button: HTMLButtonElement, signature: string}>} */
    this.items = new Map();
    this.activeId = null;
    this.loaded = false;
    setInterval(() => this.render(), TIME_REFRESH_MS);
  }

  /**
   * Replace the whole list (initial load, or refetch after a reconnect).
   * @param {object[]} summaries
   */
  setAll(summaries) {
    const previous = new Map(this.summaries);
    this.summaries.clear();
    for (const summary of summaries) this.summaries.set(summary.id, keepNewer(previous.get(summary.id), summary));
    this.loaded = true;
    this.render();
  }

  /**
   * Add or replace one summary (a `conversation` event).
   * @param {object} summary
   */
  upsert(summary) {
    this.summaries.set(summary.id, keepNewer(this.summaries.get(summary.id), summary));
    this.render();
  }

  /**
   * Change some fields of a known conversation.
   * @param {number} id
   * @param {object} fields
   * @returns {boolean} whether the conversation is known
   */
  patch(id, fields) {
    const summary = this.summaries.get(id);
    if (!summary) return false;
    this.summaries.set(id, { ...summary, ...fields });
    this.render();
    return true;
  }

  /**
   * Show a new message as the conversation's latest, if it is newer.
   * @param {object} message
   * @returns {boolean} whether the conversation is known
   */
  noteMessage(message) {
    const summary = this.summaries.get(message.conversation_id);
    if (!summary) return false;
    if ((summary.last_message?.seq ?? 0) >= message.seq) return true;
    return this.patch(message.conversation_id, {
      last_message: message,
      last_activity_at: message.created_at,
      visitor_typing: message.sender === "visitor" ? false : summary.visitor_typing,
    });
  }

  /**
   * Take a conversation off the list (it was deleted).
   * @param {number} id
   * @returns {boolean} whether it was listed
   */
  remove(id) {
    if (!this.summaries.delete(id)) return false;
    if (this.activeId === id) this.activeId = null;
    this.render();
    return true;
  }

  /** @returns {HTMLButtonElement|null} the first conversation's button, to move focus to */
  firstButton() {
    return this.listElement.querySelector(".conv-item");
  }

  /**
   * @param {number} id
   * @returns {object|undefined}
   */
  get(id) {
    return this.summaries.get(id);
  }

  /** @param {number|null} id the open conversation */
  setActive(id) {
    this.activeId = id;
    this.render();
  }

  /** @returns {number} unread messages over all conversations */
  totalUnread() {
    let total = 0;
    for (const summary of this.summaries.values()) total += summary.unread || 0;
    return total;
  }

  render() {
    const sorted = [...this.summaries.values()].sort((a, b) => activityTime(b) - activityTime(a) || b.id - a.id);
    this.emptyElement.hidden = !this.loaded || sorted.length > 0;
    const rows = sorted.map((summary) => this.#row(summary));
    this.#place(rows);
    for (const id of this.items.keys()) if (!this.summaries.has(id)) this.items.delete(id);
    this.onChange(sorted);
  }

  #row(summary) {
    let item = this.items.get(summary.id);
    if (!item) {
      const button = el("button", { className: "conv-item", attrs: { type: "button" } });
      button.addEventListener("click", () => this.onSelect(summary.id));
      const row = el("li", { className: "conv-list__row", attrs: { "data-conversation-id": String(summary.id) } }, button);
      item = { row, button, signature: "" };
      this.items.set(summary.id, item);
    }
    const active = summary.id === this.activeId;
    const signature = JSON.stringify([summary, active, relativeTime(activityTimeOf(summary))]);
    if (signature !== item.signature) {
      item.signature = signature;
      this.#fill(item.button, summary, active);
    }
    return item.row;
  }

  #fill(button, summary, active) {
    button.className = `conv-item${active ? " conv-item--active" : ""}${summary.unread ? " conv-item--unread" : ""}`;
    if (active) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
    button.replaceChildren(buildAvatar(summary), buildMain(summary, this.agentName));
  }

  #place(rows) {
    const focused = document.activeElement;
    placeChildren(this.listElement, rows);
    // Moving a focused button drops focus; put it back.
    if (focused && focused !== document.activeElement && this.listElement.contains(focused)) focused.focus();
  }
}

/** A summary from an event may be older than a local update; keep the newer last message. */
function keepNewer(known, incoming) {
  if (!known?.last_message || !incoming.last_message) return incoming;
  if (known.last_message.seq > incoming.last_message.seq) {
    return { ...incoming, last_message: known.last_message, last_activity_at: known.last_activity_at };
  }
  return incoming;
}

function activityTimeOf(summary) {
  return new Date(activityTime(summary) || Date.now());
}

function buildAvatar(summary) {
  const colour = Math.abs(Number(summary.id) || 0) % AVATAR_COLOURS;
  const avatar = el("span", { className: `avatar avatar--c${colour}`, attrs: { "aria-hidden": "true" } },
    initials(summary));
  if (summary.visitor_online) avatar.append(el("span", { className: "avatar__online" }));
  return avatar;
}

function buildMain(summary, agentName) {
  const when = activityTimeOf(summary);
  const top = el("span", { className: "conv-item__top" },
    el("span", { className: "conv-item__name", text: visitorName(summary) }),
    summary.visitor_online ? el("span", { className: "sr-only", text: " (online)" }) : null,
    el("time", {
      className: "conv-item__time",
      text: relativeTime(when),
      attrs: { datetime: when.toISOString(), title: formatFull(when) },
    }));
  const main = el("span", { className: "conv-item__main" }, top);
  if (summary.visitor?.email) main.append(el("span", { className: "conv-item__email", text: summary.visitor.email }));
  main.append(buildPreviewLine(summary, agentName));
  const page = summary.visitor_online ? describePage(summary.page_url) : null;
  if (page) main.append(el("span", { className: "conv-item__page", text: page.text, attrs: { title: page.href } }));
  return main;
}

function buildPreviewLine(summary, agentName) {
  const preview = summary.visitor_typing
    ? el("span", { className: "conv-item__preview conv-item__preview--typing", text: "typing…" })
    : el("span", { className: "conv-item__preview", text: previewText(summary.last_message, agentName) });
  const line = el("span", { className: "conv-item__bottom" }, preview);
  if (summary.unread > 0) {
    line.append(el("span", { className: "count-badge", text: summary.unread > 99 ? "99+" : String(summary.unread) },
      el("span", { className: "sr-only", text: " unread" })));
  }
  return line;
}
