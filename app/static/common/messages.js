// The messages of one conversation as this client knows them: stored
// messages keyed by seq, plus this client's own messages that the server has
// not acknowledged yet (keyed by client_id). Statuses only ever move forward.

/** Rank of each status; a merge keeps the higher one. */
const STATUS_RANK = { pending: 0, failed: 0, sent: 1, delivered: 2, seen: 3 };

/**
 * Rank of a message status (unknown statuses rank as "sent").
 * @param {string} status
 * @returns {number}
 */
export function statusRank(status) {
  return STATUS_RANK[status] ?? STATUS_RANK.sent;
}

function laterStatus(a, b) {
  return statusRank(b) > statusRank(a) ? b : a;
}

/**
 * Merge what the server says about a message into what we already had,
 * never moving its status backwards.
 * @param {object|undefined} known
 * @param {object} incoming
 * @returns {object} a new message object
 */
export function mergeMessage(known, incoming) {
  if (!known) return { ...incoming, status: incoming.status || "sent" };
  return {
    ...known,
    ...incoming,
    status: laterStatus(known.status, incoming.status || "sent"),
    delivered_at: known.delivered_at || incoming.delivered_at || null,
    seen_at: known.seen_at || incoming.seen_at || null,
  };
}

/** Messages of one conversation, ordered by seq, then pending ones. */
export class MessageStore {
  constructor() {
    /** @type {Map<number, object>} */
    this.bySeq = new Map();
    /** @type {Map<string, object>} own messages not yet stored, in send order */
    this.pending = new Map();
  }

  /** @returns {boolean} whether nothing is loaded */
  get isEmpty() {
    return this.bySeq.size === 0;
  }

  /**
   * Add or update a stored message. A pending message with the same
   * sender and client_id is replaced by it.
   * @param {object} message a protocol Message
   * @returns {boolean} whether anything changed
   */
  upsert(message) {
    if (!Number.isInteger(message?.seq)) return false;
    const pendingKey = message.client_id;
    const pending = pendingKey ? this.pending.get(pendingKey) : undefined;
    if (pending && pending.sender === message.sender) this.pending.delete(pendingKey);
    const known = this.bySeq.get(message.seq);
    const merged = mergeMessage(known, message);
    if (known && !pending && sameMessage(known, merged)) return false;
    this.bySeq.set(message.seq, merged);
    return true;
  }

  /**
   * Add several stored messages.
   * @param {object[]} messages
   * @returns {boolean} whether anything changed
   */
  upsertMany(messages) {
    let changed = false;
    for (const message of messages || []) changed = this.upsert(message) || changed;
    return changed;
  }

  /**
   * Show an own message before the server has stored it.
   * @param {{client_id: string, body: string, sender: string, created_at: string, author?: object}} draft
   * @returns {boolean} whether it was added (false if already stored or pending)
   */
  addPending(draft) {
    if (this.pending.has(draft.client_id) || this.findStored(draft.client_id, draft.sender)) return false;
    this.pending.set(draft.client_id, { ...draft, seq: null, status: "pending" });
    return true;
  }

  /**
   * Mark a pending message as refused by the server; it will not be retried.
   * @param {string} clientId
   * @param {string} reason shown under the message
   * @returns {boolean} whether it changed
   */
  markFailed(clientId, reason) {
    const pending = this.pending.get(clientId);
    if (!pending) return false;
    this.pending.set(clientId, { ...pending, status: "failed", error: reason });
    return true;
  }

  /**
   * Apply a `receipt` event: messages not sent by `by` with seq <= up_to_seq
   * move forward to the receipt's status (seen implies delivered).
   * @param {{status: string, up_to_seq: number, by: string, at?: string}} receipt
   * @returns {boolean} whether anything changed
   */
  applyReceipt({ status, up_to_seq: upToSeq, by, at }) {
    let changed = false;
    for (const [seq, message] of this.bySeq) {
      if (seq > upToSeq || message.sender === by) continue;
      if (statusRank(status) <= statusRank(message.status)) continue;
      const stamp = at || new Date().toISOString();
      this.bySeq.set(seq, {
        ...message,
        status,
        delivered_at: message.delivered_at || stamp,
        seen_at: status === "seen" ? message.seen_at || stamp : message.seen_at,
      });
      changed = true;
    }
    return changed;
  }

  /**
   * Find a stored message by client id and sender.
   * @param {string} clientId
   * @param {string} sender
   * @returns {object|undefined}
   */
  findStored(clientId, sender) {
    for (const message of this.bySeq.values()) {
      if (message.client_id === clientId && message.sender === sender) return message;
    }
    return undefined;
  }

  /** @returns {object[]} stored messages by seq, then pending ones in send order */
  items() {
    const stored = [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
    return stored.concat([...this.pending.values()]);
  }

  /** @returns {number|null} lowest stored seq */
  oldestSeq() {
    return this.bySeq.size ? Math.min(...this.bySeq.keys()) : null;
  }

  /**
   * Highest seq reached without a gap from the oldest loaded message: the
   * point to catch up from after a reconnect.
   * @returns {number|null}
   */
  contiguousSeq() {
    let seq = this.oldestSeq();
    if (seq === null) return null;
    while (this.bySeq.has(seq + 1)) seq += 1;
    return seq;
  }

  /**
   * The point to catch up from after a reconnect: just before the oldest
   * loaded message not yet seen, so receipts missed while disconnected reach
   * the ticks too, and never past a gap.
   * @returns {number|null}
   */
  catchUpSeq() {
    const contiguous = this.contiguousSeq();
    if (contiguous === null) return null;
    let from = contiguous;
    for (const [seq, message] of this.bySeq) {
      if (seq <= contiguous && message.status !== "seen" && seq - 1 < from) from = seq - 1;
    }
    return from;
  }

  /**
   * Highest seq of a message from `sender`, optionally only among messages
   * that have reached at least `minStatus`.
   * @param {string} sender
   * @param {string} [minStatus]
   * @returns {number} 0 when there is none
   */
  highestSeqFrom(sender, minStatus) {
    let highest = 0;
    const minRank = minStatus ? statusRank(minStatus) : 0;
    for (const [seq, message] of this.bySeq) {
      if (message.sender !== sender || seq <= highest) continue;
      if (statusRank(message.status) >= minRank) highest = seq;
    }
    return highest;
  }

  /** Forget everything, including pending messages. */
  clear() {
    this.bySeq.clear();
    this.pending.clear();
  }
}

function sameMessage(a, b) {
  return a.status === b.status && a.body === b.body && a.seen_at === b.seen_at
    && a.delivered_at === b.delivered_at;
}
