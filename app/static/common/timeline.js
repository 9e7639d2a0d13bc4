// One conversation on screen: its message store, its rendering, and the
// history requests that fill it (newest page, catch-up after a reconnect,
// older pages when scrolled to the top).

import { MessageStore } from "./messages.js";
import { MessageListView } from "./render.js";

const PAGE_SIZE = 50;
const CATCH_UP_PAGE_SIZE = 100;
const NEAR_BOTTOM_PX = 48;
const NEAR_TOP_PX = 80;

export class Timeline {
  /**
   * @param {object} options
   * @param {HTMLElement} options.scroller the scrolling element
   * @param {HTMLElement} options.container where bubbles go (inside the scroller)
   * @param {HTMLElement} [options.olderIndicator] shown while older messages load
   * @param {string} options.ownSender "visitor" or "agent"
   * @param {(message: object, previous: object|null) => string|null} [options.authorLabel]
   * @param {(params: object) => Promise<object>} options.fetchHistory emits `history`, resolves with the ack
   * @param {(oldestSeq: number|null, hasOlder: boolean) => {after_seq: number, element: Element}[]} [options.lines]
   *   lines shown between the messages (the inbox's activity lines), each after message after_seq
   */
  constructor({ scroller, container, olderIndicator, ownSender, authorLabel, fetchHistory, lines }) {
    this.scroller = scroller;
    this.lines = lines || (() => []);
    this.olderIndicator = olderIndicator;
    this.fetchHistory = fetchHistory;
    this.store = new MessageStore();
    this.view = new MessageListView(container, { ownSender, authorLabel });
    this.hasOlder = false;
    this.loadingOlder = false;
    this.disposed = false;
    // Whether the view follows the newest message; kept while the scroller resizes.
    this.followingNewest = true;
    this.listeners = new AbortController();
    scroller.addEventListener("scroll", () => this.#onScroll(), { signal: this.listeners.signal });
    this.resizeObserver = new ResizeObserver(() => {
      if (this.followingNewest) this.scrollToBottom();
    });
    this.resizeObserver.observe(scroller);
  }

  /** Stop reacting to scrolling and ignore answers still on their way. */
  dispose() {
    this.disposed = true;
    this.listeners.abort();
    this.resizeObserver.disconnect();
  }

  /**
   * Bring the newest messages in: the newest page when nothing is loaded,
   * otherwise everything after the last message we have.
   * @returns {Promise<boolean>} whether it completed
   */
  async syncLatest() {
    if (this.store.isEmpty) {
      const ack = await this.fetchHistory({ limit: PAGE_SIZE });
      if (this.disposed || !ack.ok) return false;
      this.setPage(ack.messages, ack.has_more);
      return true;
    }
    let after = this.store.catchUpSeq();
    for (;;) {
      const ack = await this.fetchHistory({ after_seq: after, limit: CATCH_UP_PAGE_SIZE });
      if (this.disposed || !ack.ok) return false;
      this.addMessages(ack.messages);
      if (!ack.has_more || !ack.messages.length) return true;
      after = ack.messages[ack.messages.length - 1].seq;
    }
  }

  /**
   * Show a page of the newest messages (e.g. from a `join` answer).
   * @param {object[]} messages
   * @param {boolean} hasOlder whether older messages exist
   */
  setPage(messages, hasOlder) {
    this.hasOlder = Boolean(hasOlder);
    this.store.upsertMany(messages);
    this.render("bottom");
    this.fillIfShort();
  }

  /** Load the page before the oldest loaded message, keeping the view still. */
  async loadOlder() {
    const before = this.store.oldestSeq();
    if (!this.hasOlder || this.loadingOlder || before === null) return;
    this.loadingOlder = true;
    this.#showOlderIndicator(true);
    try {
      const ack = await this.fetchHistory({ before_seq: before, limit: PAGE_SIZE });
      if (this.disposed || !ack.ok) return;
      this.hasOlder = Boolean(ack.has_more);
      this.store.upsertMany(ack.messages);
      this.render("keep-offset");
    } finally {
      this.loadingOlder = false;
      this.#showOlderIndicator(false);
    }
    this.fillIfShort();
  }

  /**
   * Add or update stored messages (events, acks, history).
   * @param {object[]} messages
   * @param {{stick?: boolean}} [options] stick: scroll to the bottom regardless
   * @returns {boolean} whether anything changed
   */
  addMessages(messages, { stick = false } = {}) {
    const changed = this.store.upsertMany(messages);
    if (changed || stick) this.render(stick ? "bottom" : "auto");
    return changed;
  }

  /**
   * Show an own message that is still on its way.
   * @param {object} draft {client_id, body, sender, created_at, author}
   */
  addPending(draft) {
    if (this.store.addPending(draft)) this.render("bottom");
  }

  /**
   * @param {string} clientId
   * @param {string} reason
   */
  markFailed(clientId, reason) {
    if (this.store.markFailed(clientId, reason)) this.render();
  }

  /**
   * Apply a `receipt` event to the ticks.
   * @param {object} receipt
   */
  applyReceipt(receipt) {
    if (this.store.applyReceipt(receipt)) this.render();
  }

  /** Forget own messages that were never stored (they never will be). */
  clearPending() {
    if (!this.store.pending.size) return;
    this.store.pending.clear();
    this.render();
  }

  /** Forget all messages (the conversation is gone). */
  clear() {
    this.store.clear();
    this.hasOlder = false;
    this.render();
  }

  /**
   * Re-render. "auto" stays at the bottom if it was there, "bottom" always
   * scrolls down, "keep-offset" keeps the visible messages in place after
   * older ones were added above.
   * @param {"auto"|"bottom"|"keep-offset"} [mode]
   */
  render(mode = "auto") {
    const scroller = this.scroller;
    const wasAtBottom = this.isAtBottom();
    const previousHeight = scroller.scrollHeight;
    const previousTop = scroller.scrollTop;
    this.view.render(this.store.items(), this.lines(this.store.oldestSeq(), this.hasOlder));
    if (mode === "bottom" || (mode === "auto" && wasAtBottom)) this.scrollToBottom();
    else if (mode === "keep-offset") scroller.scrollTop = previousTop + (scroller.scrollHeight - previousHeight);
  }

  /** @returns {boolean} whether the newest message is in view */
  isAtBottom() {
    const scroller = this.scroller;
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  }

  scrollToBottom() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  /** Load older pages while the list is too short to scroll (when visible). */
  fillIfShort() {
    const scroller = this.scroller;
    if (this.hasOlder && scroller.clientHeight > 0 && scroller.scrollHeight <= scroller.clientHeight) {
      this.loadOlder();
    }
  }

  #onScroll() {
    this.followingNewest = this.isAtBottom();
    if (this.scroller.scrollTop < NEAR_TOP_PX) this.loadOlder();
  }

  #showOlderIndicator(visible) {
    if (this.olderIndicator) this.olderIndicator.hidden = !visible;
  }
}
