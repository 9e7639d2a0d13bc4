// The typing storm of bench/run.py (--typists): visitor sockets that all start
// typing when the sending begins, refresh it every few seconds while messages
// flow, and stop when the sending ends. Used by loadgen.js.
"use strict";

const { performance } = require("perf_hooks");

class TypingStorm {
  // typists: [{socket, conversation_id}]; times in ms.
  constructor(typists, refreshMs, ackTimeoutMs) {
    this.typists = typists;
    this.refreshMs = refreshMs;
    this.ackTimeoutMs = ackTimeoutMs;
    this.stopped = false;
    this.stats = { typists: typists.length, sent: 0, acked: 0, errors: {}, timeouts: 0, round_lag_max: 0 };
    this.latencies = []; // ms, emit -> ack
  }

  // Typing at startPerf, startPerf + refresh, ... before endPerf; stopped at endPerf.
  run(startPerf, endPerf) {
    const round = (at) => {
      if (at >= endPerf) return;
      this.timer = setTimeout(() => {
        this.stats.round_lag_max = Math.max(this.stats.round_lag_max, performance.now() - at);
        this.emitAll(true);
        round(at + this.refreshMs);
      }, Math.max(0, at - performance.now()));
    };
    round(startPerf);
    setTimeout(() => {
      clearTimeout(this.timer);
      this.emitAll(false);
      this.stopped = true;
    }, Math.max(0, endPerf - performance.now()));
  }

  emitAll(isTyping) {
    for (const { socket, conversation_id } of this.typists) {
      const sentAt = performance.now();
      this.stats.sent++;
      socket.timeout(this.ackTimeoutMs).emit("typing", { conversation_id, is_typing: isTyping }, (err, ack) => {
        if (err) this.stats.timeouts++;
        else if (ack && ack.ok) {
          this.stats.acked++;
          this.latencies.push(performance.now() - sentAt);
        } else {
          const code = (ack && ack.error && ack.error.code) || "unknown";
          this.stats.errors[code] = (this.stats.errors[code] || 0) + 1;
        }
      });
    }
  }

  // Every typing event sent, the last one included, has its answer.
  settled() {
    const answered = this.stats.acked + this.stats.timeouts + Object.values(this.stats.errors).reduce((a, b) => a + b, 0);
    return this.stopped && answered >= this.stats.sent;
  }

  result() {
    return { ...this.stats, ack_latencies: this.latencies.map((x) => Math.round(x * 100) / 100) };
  }
}

module.exports = { TypingStorm };
