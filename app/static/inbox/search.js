// Search in the inbox: the box above the conversation list, its results
// (which replace the list while searching), and opening a conversation at
// the message that was found.

import { t } from "../common/i18n.js";
import { el } from "../common/dom.js";
import { formatFull, relativeTime } from "../common/time.js";
import { visitorName } from "./format.js";

const TYPING_PAUSE_MS = 250;
const PAGE_SIZE = 20;
// Messages loaded on each side of a found one.
const AROUND = 25;
const HIGHLIGHT_MS = 2500;

/**
 * One page of hits.
 * @param {string} query
 * @param {string|null} cursor
 * @param {AbortSignal} signal
 * @returns {Promise<{hits: object[], next_cursor: string|null}>}
 */
async function fetchHits(query, cursor, signal) {
  const params = new URLSearchParams({ q: query, limit: String(PAGE_SIZE) });
  if (cursor) params.set("cursor", cursor);
  const response = await fetch(`/api/v1/search?${params}`, {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
    signal,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data?.error?.message || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

/**
 * A snippet's parts as text nodes and <mark>s (never markup from the text).
 * @param {{text: string, mark: boolean}[]} parts
 * @returns {HTMLElement}
 */
function snippetElement(parts) {
  const element = el("span", { className: "search-hit__snippet" });
  for (const part of parts) element.append(part.mark ? el("mark", { text: part.text }) : part.text);
  return element;
}

/**
 * One result: who, when, and the words that matched.
 * @param {object} hit
 * @returns {HTMLButtonElement}
 */
function hitButton(hit) {
  const at = hit.message?.created_at || hit.conversation.last_activity_at;
  const who = hit.message ? null : el("span", { className: "search-hit__kind", text: t("search.visitor") });
  return el("button", { className: "conv-item search-hit", attrs: { type: "button" } },
    el("span", { className: "conv-item__main" },
      el("span", { className: "conv-item__top" },
        el("span", { className: "conv-item__name", text: visitorName(hit.conversation) }),
        el("time", { className: "conv-item__time", text: relativeTime(at),
          attrs: { datetime: at || "", title: formatFull(at) } })),
      el("span", { className: "search-hit__body" }, who, snippetElement(hit.snippet))));
}

export class InboxSearch {
  /**
   * @param {object} options
   * @param {(id: number, seq: number|null) => void} options.onOpen open a conversation at a message
   */
  constructor({ onOpen }) {
    const byId = (id) => document.getElementById(id);
    this.input = byId("search-input");
    this.clearButton = byId("search-clear");
    this.results = byId("search-results");
    this.status = byId("search-status");
    this.listElement = byId("search-list");
    this.moreButton = byId("search-more");
    this.nav = this.results.closest(".inbox__list");
    this.onOpen = onOpen;
    this.query = "";
    this.cursor = null;
    this.timer = null;
    this.request = null;
    this.#bind();
  }

  #bind() {
    this.input.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#search(this.input.value, { now: true });
    });
    this.input.addEventListener("input", () => this.#search(this.input.value));
    this.input.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !this.input.value) return;
      event.preventDefault();
      this.clear();
    });
    this.clearButton.addEventListener("click", () => {
      this.clear();
      this.input.focus();
    });
    this.moreButton.addEventListener("click", () => this.#load(this.query, this.cursor));
  }

  /** Empty the box and show the conversation list again. */
  clear() {
    this.input.value = "";
    this.#search("");
  }

  #search(value, { now = false } = {}) {
    clearTimeout(this.timer);
    const query = value.trim();
    this.clearButton.hidden = !value;
    if (!query) {
      this.request?.abort();
      this.query = "";
      this.#show(false);
      return;
    }
    if (query === this.query && !now) return;
    this.timer = setTimeout(() => this.#start(query), now ? 0 : TYPING_PAUSE_MS);
  }

  #start(query) {
    this.query = query;
    this.listElement.replaceChildren();
    this.#show(true);
    this.#load(query, null);
  }

  async #load(query, cursor) {
    this.request?.abort();
    const request = new AbortController();
    this.request = request;
    this.moreButton.hidden = true;
    this.status.textContent = t("search.searching");
    try {
      const page = await fetchHits(query, cursor, request.signal);
      if (request.signal.aborted) return;
      this.cursor = page.next_cursor;
      this.#render(page.hits, query);
    } catch (error) {
      if (request.signal.aborted) return;
      if (error.status === 401) window.location.assign("/login?next=/agent");
      this.status.textContent = error.status === 429
        ? t("search.too_many")
        : t("search.failed", { reason: error.message });
    }
  }

  #render(hits, query) {
    for (const hit of hits) {
      const button = hitButton(hit);
      button.addEventListener("click", () => {
        for (const other of this.listElement.querySelectorAll(".conv-item--active")) {
          other.classList.remove("conv-item--active");
          other.removeAttribute("aria-current");
        }
        button.classList.add("conv-item--active");
        button.setAttribute("aria-current", "true");
        this.onOpen(hit.conversation.id, hit.message?.seq ?? null);
      });
      this.listElement.append(el("li", { className: "conv-list__row" }, button));
    }
    const shown = this.listElement.children.length;
    this.moreButton.hidden = !this.cursor;
    this.status.textContent = shown === 0 ? t("search.nothing", { query })
      : t(this.cursor ? "search.results_more" : "search.results", { count: shown, query });
  }

  #show(searching) {
    this.results.hidden = !searching;
    this.nav.classList.toggle("inbox__list--searching", searching);
    if (!searching) this.status.textContent = "";
  }
}

/**
 * Show a message of the open conversation that may be far back in its
 * history: load the page around it (and the messages after it, so the
 * timeline has no gap), scroll to it and highlight it for a moment.
 * @param {import("../common/timeline.js").Timeline} timeline
 * @param {number} seq
 * @returns {Promise<void>}
 */
export async function revealMessage(timeline, seq) {
  if (!timeline.store.bySeq.has(seq)) {
    const after = Math.max(0, seq - AROUND - 1);
    const ack = await timeline.fetchHistory({ after_seq: after, limit: 2 * AROUND + 1 });
    if (timeline.disposed || !ack.ok) return;
    timeline.store.upsertMany(ack.messages);
    timeline.hasOlder = after > 0;
    if (!(await timeline.syncLatest())) return;
    timeline.render();
  }
  const row = timeline.view.container.querySelector(`[data-seq="${seq}"]`);
  if (!row) return;
  timeline.followingNewest = false;
  row.scrollIntoView({ block: "center" });
  row.classList.add("message--found");
  row.tabIndex = -1;
  row.focus({ preventScroll: true });
  // The row may have been rebuilt since (a receipt): find it again.
  setTimeout(() => {
    timeline.view.container.querySelector(`[data-seq="${seq}"]`)?.classList.remove("message--found");
  }, HIGHLIGHT_MS);
}
