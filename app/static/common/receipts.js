// Receipts this client sends ("delivered" and "seen"), without repeating
// ones that cannot change anything.

/**
 * Tracks the high-water mark of each receipt status for one conversation.
 * Seen implies delivered.
 */
export class ReceiptTracker {
  /**
   * @param {(status: string, upToSeq: number) => Promise<{ok: boolean}>} send
   */
  constructor(send) {
    this.send = send;
    this.marks = { delivered: 0, seen: 0 };
  }

  /**
   * Record a mark already reached (from stored statuses, or a receipt sent
   * by another tab or another agent), so it is not sent again.
   * @param {"delivered"|"seen"} status
   * @param {number} upToSeq
   */
  observe(status, upToSeq) {
    if (!(upToSeq > 0)) return;
    if (status === "seen") this.marks.seen = Math.max(this.marks.seen, upToSeq);
    this.marks.delivered = Math.max(this.marks.delivered, upToSeq, this.marks.seen);
  }

  /**
   * Send a receipt if it moves a mark forward. On failure the mark goes back
   * so a later call tries again.
   * @param {"delivered"|"seen"} status
   * @param {number} upToSeq
   * @returns {Promise<void>}
   */
  async mark(status, upToSeq) {
    if (!(upToSeq > 0) || upToSeq <= this.marks[status]) return;
    const before = { ...this.marks };
    this.observe(status, upToSeq);
    const ack = await this.send(status, upToSeq);
    if (ack?.ok) return;
    if (this.marks[status] === upToSeq) this.marks[status] = before[status];
    if (status === "seen" && this.marks.delivered === upToSeq) this.marks.delivered = before.delivered;
  }

  /** Forget all marks (after a reconnect to a different conversation). */
  reset() {
    this.marks = { delivered: 0, seen: 0 };
  }
}
