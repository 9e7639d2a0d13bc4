// The inbox's views (Mine, Unassigned, All open, Snoozed, Resolved, All):
// which conversations each holds and in which order, as the server decides
// (app/services/views.py), the tabs with their live counts, the sort switch,
// and fetching a page of a view.

import { fetchConversations } from "./api.js";
import { activityTime } from "./format.js";

export const VIEWS = ["mine", "unassigned", "open", "snoozed", "resolved", "all"];
export const SORTS = ["latest", "waiting"];
const STORAGE_KEY = "inbox:view";
const PAGE_SIZE = 50;

/**
 * The desk state a summary shows: "open", "snoozed", "resolved" or "ended".
 * @param {object} summary
 * @returns {string}
 */
export function stateOf(summary) {
  if (summary.status === "closed") return "ended";
  return summary.state || "open";
}

/**
 * Whether a conversation belongs in a view.
 * @param {string} view
 * @param {object} summary
 * @param {number} agentId the agent using the inbox ("mine")
 * @returns {boolean}
 */
export function inView(view, summary, agentId) {
  const state = stateOf(summary);
  switch (view) {
    case "mine": return state === "open" && summary.assignee?.id === agentId;
    case "unassigned": return state === "open" && !summary.assignee;
    case "open": return state === "open";
    case "snoozed": return state === "snoozed";
    case "resolved": return state === "resolved" || state === "ended";
    default: return true;
  }
}

function waitingTime(summary) {
  if (!summary.waiting_since) return null;
  const time = Date.parse(summary.waiting_since);
  return Number.isNaN(time) ? null : time;
}

function byLatest(a, b) {
  return activityTime(b) - activityTime(a) || b.id - a.id;
}

/** Longest waiting first, then the chats that wait for nobody by latest activity. */
function byWaiting(a, b) {
  const waitA = waitingTime(a);
  const waitB = waitingTime(b);
  if (waitA !== null && waitB !== null) return waitA - waitB || a.id - b.id;
  if (waitA !== null) return -1;
  if (waitB !== null) return 1;
  return byLatest(a, b);
}

/**
 * The order of a sort, as a comparison function.
 * @param {string} sort
 * @returns {(a: object, b: object) => number}
 */
export function comparator(sort) {
  return sort === "waiting" ? byWaiting : byLatest;
}

/**
 * A page of a view from the server, ``PAGE_SIZE`` conversations long.
 * @param {{view: string, sort: string, cursor?: string|null}} query
 */
export function fetchView(query) {
  return fetchConversations({ ...query, limit: PAGE_SIZE });
}

/** The tabs above the list, the sort switch, and the counts on the tabs. */
export class ViewTabs {
  /**
   * @param {object} options
   * @param {HTMLElement} options.tablist
   * @param {HTMLSelectElement} options.sortSelect
   * @param {HTMLElement} options.panel the tabpanel the tabs control
   * @param {number} options.agentId
   * @param {(view: string, sort: string) => void} options.onChange
   */
  constructor({ tablist, sortSelect, panel, agentId, onChange }) {
    this.tabs = [...tablist.querySelectorAll("[role=tab]")];
    this.sortSelect = sortSelect;
    this.panel = panel;
    this.agentId = agentId;
    this.onChange = onChange;
    const saved = readSaved();
    this.view = saved.view;
    this.sort = saved.sort;
    sortSelect.value = this.sort;
    for (const tab of this.tabs) tab.addEventListener("click", () => this.select(tab.dataset.view));
    tablist.addEventListener("keydown", (event) => this.#onKey(event));
    sortSelect.addEventListener("change", () => this.#changed(this.view, sortSelect.value));
    this.#mark();
  }

  /** @param {string} view */
  select(view) {
    if (VIEWS.includes(view) && view !== this.view) this.#changed(view, this.sort);
  }

  /**
   * Show the counts: from a list answer (with `mine`) or a `counts` event
   * (with `by_assignee`, where this agent finds its own).
   * @param {object} counts
   */
  setCounts(counts) {
    if (!counts || typeof counts !== "object") return;
    const mine = counts.mine ?? counts.by_assignee?.[String(this.agentId)] ?? 0;
    const values = { ...counts, mine };
    for (const tab of this.tabs) {
      const value = values[tab.dataset.view];
      const badge = tab.querySelector("[data-count]");
      badge.textContent = Number.isInteger(value) ? formatCount(value) : "";
    }
  }

  #changed(view, sort) {
    this.view = view;
    this.sort = SORTS.includes(sort) ? sort : "latest";
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ view: this.view, sort: this.sort }));
    } catch {
      // Storage may be off; the choice then lasts for this page only.
    }
    this.#mark();
    this.onChange(this.view, this.sort);
  }

  #mark() {
    for (const tab of this.tabs) {
      const selected = tab.dataset.view === this.view;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      if (selected) this.panel.setAttribute("aria-labelledby", tab.id);
    }
  }

  // Arrow keys, Home and End move between the tabs and select (WAI-ARIA tabs).
  #onKey(event) {
    const focused = this.tabs.indexOf(document.activeElement);
    const index = focused >= 0 ? focused : this.tabs.findIndex((tab) => tab.dataset.view === this.view);
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: this.tabs.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = this.tabs[(moves[event.key] + this.tabs.length) % this.tabs.length];
    this.select(next.dataset.view);
    next.focus();
  }
}

function formatCount(value) {
  return value > 999 ? `${Math.floor(value / 1000)}k` : String(value);
}

function readSaved() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || "{}");
    return {
      view: VIEWS.includes(saved.view) ? saved.view : "all",
      sort: SORTS.includes(saved.sort) ? saved.sort : "latest",
    };
  } catch {
    return { view: "all", sort: "latest" };
  }
}
