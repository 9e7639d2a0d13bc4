// The conversation list: one view of the inbox (see views.js), in its sort,
// read page by page as the agent scrolls, and kept live: a changed
// conversation moves into, out of and within the view. Items are updated in
// place so keyboard focus stays where it is while the list changes.

import { t } from "../common/i18n.js";
import { el, placeChildren } from "../common/dom.js";
import { dayKey, formatClock, formatFull, relativeTime } from "../common/time.js";
import { formatWhen } from "./activity.js";
import { activityTime, describePage, initials, previewText, visitorName } from "./format.js";
import { comparator, inView, stateOf } from "./views.js";

const AVATAR_COLOURS = 6;
const TIME_REFRESH_MS = 30000;
const EMPTY_TEXT = {
  mine: "list.empty.mine",
  unassigned: "list.empty.unassigned",
  open: "list.empty.open",
  snoozed: "list.empty.snoozed",
  resolved: "list.empty.resolved",
  all: "list.empty.all",
};

export class ConversationList {
  /**
   * @param {object} options
   * @param {HTMLElement} options.listElement the <ul>
   * @param {HTMLElement} options.emptyElement shown when there are no conversations
   * @param {HTMLElement} options.moreElement at the end of the list while more pages follow
   * @param {string} options.agentName
   * @param {number} options.agentId
   * @param {string} options.view the view shown first
   * @param {string} options.sort its sort
   * @param {(query: {view: string, sort: string, cursor: string|null}) => Promise<object>} options.fetchPage
   * @param {(id: number) => void} options.onSelect
   * @param {(summaries: object[]) => void} [options.onChange] after every change
   * @param {(summaries: object[], counts: object|undefined) => void} [options.onPage] after each page
   */
  constructor({
    listElement, emptyElement, moreElement, agentName, agentId, view, sort, fetchPage, onSelect,
    onChange = () => {}, onPage = () => {},
  }) {
    this.listElement = listElement;
    this.emptyElement = emptyElement;
    this.moreElement = moreElement;
    this.agentName = agentName;
    this.agentId = agentId;
    this.fetchPage = fetchPage;
    this.onSelect = onSelect;
    this.onChange = onChange;
    this.onPage = onPage;
    this.view = view;
    this.sort = sort;
    // The next page's cursor (null once all is read), and the last
    // conversation read: one that sorts after it comes with a later page.
    this.cursor = null;
    this.boundary = null;
    this.loading = null;
    this.generation = 0;
    new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) this.loadMore();
    }).observe(moreElement);
    /** @type {Map<number, object>} */
    this.summaries = new Map();
    /** @type {Map<number, {row: HTMLLIElement, button: HTMLButtonElement, signature: string}>} */
    this.items = new Map();
    this.activeId = null;
    this.loaded = false;
    setInterval(() => this.render(), TIME_REFRESH_MS);
    // A row refilled or moved between press and release loses the click, so
    // the list holds still while a pointer is down on it, then catches up.
    this.pressed = false;
    listElement.addEventListener("pointerdown", () => { this.pressed = true; });
    for (const type of ["pointerup", "pointercancel"]) {
      document.addEventListener(type, () => this.#release(), true);
    }
  }

  #release() {
    if (!this.pressed) return;
    this.pressed = false;
    setTimeout(() => this.render(), 0); // after the click the release makes
  }

  /**
   * Show another view or sort, from its first page.
   * @param {string} view
   * @param {string} sort
   * @returns {Promise<object[]>} the first page's summaries
   */
  show(view, sort) {
    this.view = view;
    this.sort = sort;
    const open = this.summaries.get(this.activeId);
    this.summaries.clear();
    if (open) this.summaries.set(open.id, open);
    this.cursor = null;
    this.loaded = false;
    this.render();
    return this.reload();
  }

  /**
   * Read the view again from its first page (first load, or after a reconnect).
   * @returns {Promise<object[]>} the first page's summaries
   */
  async reload() {
    const generation = ++this.generation;
    this.loading = this.fetchPage({ view: this.view, sort: this.sort, cursor: null });
    try {
      const page = await this.loading;
      if (generation === this.generation) this.#take(page, true);
      return page.conversations || [];
    } finally {
      if (generation === this.generation) this.loading = null;
    }
  }

  /** Read the next page, if there is one and none is on its way. */
  async loadMore() {
    if (!this.cursor || this.loading) return;
    const generation = this.generation;
    this.loading = this.fetchPage({ view: this.view, sort: this.sort, cursor: this.cursor });
    try {
      const page = await this.loading;
      if (generation === this.generation) this.#take(page, false);
    } catch (error) {
      // A cursor the server no longer takes (its key changed): start over.
      if (error.status === 400 && generation === this.generation) this.reload();
    } finally {
      if (generation === this.generation) this.loading = null;
    }
    // Still at the bottom (a short page)? The observer will not fire again.
    if (generation === this.generation && this.cursor && isOnScreen(this.moreElement)) this.loadMore();
  }

  #take(page, first) {
    const summaries = Array.isArray(page.conversations) ? page.conversations : [];
    const previous = new Map(this.summaries);
    if (first) {
      this.summaries.clear();
      this.boundary = null;
      // The open conversation stays listed, in this view or not.
      if (previous.has(this.activeId)) this.summaries.set(this.activeId, previous.get(this.activeId));
    }
    for (const summary of summaries) {
      this.summaries.set(summary.id, keepNewer(previous.get(summary.id), summary));
    }
    this.cursor = typeof page.next_cursor === "string" ? page.next_cursor : null;
    if (summaries.length) this.boundary = summaries[summaries.length - 1];
    this.loaded = true;
    this.render();
    this.onPage(summaries, page.counts);
  }

  /**
   * Add, move or take out one conversation (a `conversation` event): it is
   * listed while it belongs in the view and sorts before the pages not read
   * yet. The open conversation stays listed until another is opened.
   * @param {object} summary
   */
  upsert(summary) {
    const merged = keepNewer(this.summaries.get(summary.id), summary);
    if (this.#belongs(merged)) this.summaries.set(summary.id, merged);
    else this.summaries.delete(summary.id);
    this.render();
  }

  #belongs(summary) {
    if (summary.id === this.activeId) return true;
    if (!inView(this.view, summary, this.agentId)) return false;
    return !this.cursor || !this.boundary || comparator(this.sort)(summary, this.boundary) <= 0;
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
    const previous = this.summaries.get(this.activeId);
    this.activeId = id;
    // The one open before leaves the list if it was kept only for being open.
    if (previous && !this.#belongs(previous)) this.summaries.delete(previous.id);
    this.render();
  }

  /** @returns {number} unread messages over all conversations */
  totalUnread() {
    let total = 0;
    for (const summary of this.summaries.values()) total += summary.unread || 0;
    return total;
  }

  render() {
    if (this.pressed) return;
    const sorted = [...this.summaries.values()].sort(comparator(this.sort));
    this.emptyElement.textContent = t(EMPTY_TEXT[this.view] || EMPTY_TEXT.all);
    this.emptyElement.hidden = !this.loaded || sorted.length > 0;
    this.moreElement.hidden = !this.cursor;
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
    const signature = JSON.stringify([summary, active, relativeTime(activityTimeOf(summary)), waitedFor(summary)]);
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
  main.append(buildPreviewLine(summary, agentName), buildDeskLine(summary));
  const page = summary.visitor_online ? describePage(summary.page_url) : null;
  if (page) main.append(el("span", { className: "conv-item__page", text: page.text, attrs: { title: page.href } }));
  return main;
}

function buildPreviewLine(summary, agentName) {
  const preview = summary.visitor_typing
    ? el("span", { className: "conv-item__preview conv-item__preview--typing", text: t("list.typing") })
    : el("span", { className: "conv-item__preview", text: previewText(summary.last_message, agentName) });
  const line = el("span", { className: "conv-item__bottom" }, preview);
  if (summary.unread > 0) {
    line.append(el("span", { className: "count-badge", text: summary.unread > 99 ? "99+" : String(summary.unread) },
      el("span", { className: "sr-only", text: " unread" })));
  }
  return line;
}

/** The desk's line: state badge, who has it, and how long the visitor waits. */
function buildDeskLine(summary) {
  const line = el("span", { className: "conv-item__desk" });
  const badge = stateBadge(summary);
  if (badge) line.append(badge);
  const name = summary.assignee?.name;
  line.append(el("span", {
    className: `conv-item__assignee${name ? "" : " conv-item__assignee--none"}`,
    text: name || t("assignment.unassigned"),
  }));
  // Shown wherever the chat sorts among those that wait ("Longest waiting").
  const waited = waitedFor(summary);
  if (waited) line.append(el("span", { className: "conv-item__waiting", text: t("list.waiting", { time: waited }) }));
  return line;
}

function stateBadge(summary) {
  const state = stateOf(summary);
  if (state === "resolved") return el("span", { className: "state-badge state-badge--resolved", text: t("state.resolved") });
  if (state === "ended") return el("span", { className: "state-badge state-badge--ended", text: t("state.ended") });
  if (state !== "snoozed") return null;
  const until = summary.snoozed_until;
  if (!until) return el("span", { className: "state-badge state-badge--snoozed", text: t("state.snoozed") });
  // Today just the time; else as the header and the timeline say it ("Mon 09:00").
  const when = dayKey(until) === dayKey(new Date()) ? formatClock(until) : formatWhen(until);
  return el("span", {
    className: "state-badge state-badge--snoozed",
    text: t("state.snoozed_until", { when }),
    attrs: { title: formatFull(until) },
  });
}

/** How long the visitor has waited for an answer ("12 min", "2 h 5 min"), or null. */
function waitedFor(summary) {
  if (!summary.waiting_since) return null;
  const since = Date.parse(summary.waiting_since);
  if (Number.isNaN(since)) return null;
  const minutes = Math.max(0, Math.floor((Date.now() - since) / 60000));
  if (minutes < 1) return t("wait.under_minute");
  if (minutes < 60) return t("time.minutes", { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours >= 48) return t("wait.days", { count: Math.floor(hours / 24) });
  return minutes % 60 ? t("wait.hours_minutes", { hours, minutes: minutes % 60 }) : t("time.hours", { count: hours });
}

function isOnScreen(element) {
  if (element.hidden) return false;
  const box = element.getBoundingClientRect();
  return box.top < window.innerHeight && box.bottom > 0;
}
