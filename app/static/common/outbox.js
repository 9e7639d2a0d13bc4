// Own messages waiting for the server's acknowledgement. They are sent one
// at a time, in order, only while connected; a lost or failed send is
// retried with the same client_id (the server stores a message once however
// often it is sent), a refused one is dropped and reported.

import { isPermanentError } from "./ack.js";

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30000;

/**
 * @typedef {object} OutboxItem
 * @property {string} client_id
 * @property {string} body
 * @property {string} created_at
 * @property {number} [conversation_id]
 */

export class Outbox {
  /**
   * @param {object} options
   * @param {(item: OutboxItem) => Promise<object>} options.send emits send_message, resolves with the ack
   * @param {(item: OutboxItem, message: object) => void} options.onSent
   * @param {(item: OutboxItem, error: {code: string, message: string}) => void} options.onFailed
   * @param {{load: () => OutboxItem[], save: (items: OutboxItem[]) => void}} [options.storage]
   */
  constructor({ send, onSent, onFailed, storage }) {
    this.send = send;
    this.onSent = onSent;
    this.onFailed = onFailed;
    this.storage = storage;
    /** @type {OutboxItem[]} */
    this.items = storage ? storage.load() : [];
    this.ready = false;
    this.sending = false;
    this.retryTimer = null;
    this.retryDelay = FIRST_RETRY_MS;
  }

  /**
   * Queue a message and try to send it.
   * @param {OutboxItem} item
   */
  add(item) {
    this.items.push(item);
    this.#save();
    this.flush();
  }

  /**
   * Items waiting, optionally only those of one conversation.
   * @param {number} [conversationId]
   * @returns {OutboxItem[]}
   */
  pending(conversationId) {
    if (conversationId === undefined) return [...this.items];
    return this.items.filter((item) => item.conversation_id === conversationId);
  }

  /**
   * Drop an item that is known to be stored (e.g. seen in a `message` event
   * from another tab).
   * @param {string} clientId
   */
  discard(clientId) {
    const before = this.items.length;
    this.items = this.items.filter((item) => item.client_id !== clientId);
    if (this.items.length !== before) this.#save();
  }

  /**
   * Drop every waiting item, or those of one conversation (it was ended or
   * deleted, so they can never be stored).
   * @param {number} [conversationId]
   */
  clear(conversationId) {
    const before = this.items.length;
    this.items = conversationId === undefined ? [] : this.items.filter((item) => item.conversation_id !== conversationId);
    if (this.items.length !== before) this.#save();
  }

  /** Re-read the persisted queue (another tab changed it). */
  reload() {
    if (this.storage) this.items = this.storage.load();
  }

  /**
   * Connected or not. Becoming ready sends at once, without waiting for a
   * backoff timer.
   * @param {boolean} ready
   */
  setReady(ready) {
    this.ready = ready;
    if (!ready) return;
    this.#resetBackoff();
    this.flush();
  }

  /** Send queued items one by one while connected. */
  async flush() {
    if (this.sending || !this.ready || this.retryTimer) return;
    this.sending = true;
    try {
      while (this.ready && this.items.length) {
        const item = this.items[0];
        const ack = await this.send(item);
        if (!this.#settle(item, ack)) {
          this.#scheduleRetry();
          break;
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /** @returns {boolean} whether the item is done with (sent or refused) */
  #settle(item, ack) {
    if (ack?.ok) {
      this.discard(item.client_id);
      this.#resetBackoff();
      this.onSent(item, ack.message);
      return true;
    }
    if (isPermanentError(ack?.error)) {
      this.discard(item.client_id);
      this.onFailed(item, ack.error);
      return true;
    }
    return false;
  }

  #scheduleRetry() {
    const delay = this.retryDelay * (0.8 + Math.random() * 0.4);
    this.retryDelay = Math.min(this.retryDelay * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.flush();
    }, delay);
  }

  #resetBackoff() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.retryDelay = FIRST_RETRY_MS;
  }

  #save() {
    if (this.storage) this.storage.save(this.items);
  }
}
