// One client process for bench/connections.py: many idle visitor sockets,
// and optionally a few visitor/agent pairs that exchange messages.
//
// Usage: node bench/idle.js CONFIG.json
//
// stdout (JSON lines)                         stdin (JSON lines)
//   {"type":"connected", ...}                   {"cmd":"status"}
//   {"type":"status", ...}                      {"cmd":"typing", "at": EPOCH_MS, "count": N}
//   {"type":"typing_done", ...}                 {"cmd":"exchange", "at": EPOCH_MS, "seconds": S, "rate": R}
//   {"type":"exchange_done", ...}               {"cmd":"quit"}
"use strict";

const fs = require("fs");
const readline = require("readline");
const { performance } = require("perf_hooks");
const sockets = require("./sockets");

const { out } = sockets;
const cfg = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const wallNow = () => performance.timeOrigin + performance.now();

sockets.exitAfter(cfg.hard_limit_s * 1000);

let disconnects = 0;
const reasons = {};

// Connected sockets count their disconnects, by reason.
async function connect(auth) {
  const result = await sockets.connect(cfg.url, {
    auth,
    transports: [cfg.transport],
    forceNew: true,
    reconnection: false,
    timeout: 60000,
    perMessageDeflate: cfg.deflate ? { threshold: 1024 } : false,
  });
  if (!result.error) {
    result.socket.on("disconnect", (reason) => {
      disconnects++;
      reasons[reason] = (reasons[reason] || 0) + 1;
    });
  }
  return result;
}

function connectAll(items, makeAuth, concurrency) {
  return sockets.connectAll(items, (item) => connect(makeAuth(item)), concurrency);
}

function quantile(values, q) {
  if (!values.length) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * sorted.length) - 1))];
}

const sleepUntil = (epochMs) => new Promise((r) => setTimeout(r, Math.max(0, epochMs - wallNow())));

async function main() {
  const t0 = performance.now();
  let agent = null;
  if (cfg.agent_token) {
    const [a] = await connectAll([cfg.agent_token], (token) => ({ token }), 1);
    if (a.error) throw new Error(`agent could not connect: ${a.error}`);
    agent = a.socket;
  }
  const pairs = await connectAll(cfg.pairs || [], (v) => ({ visitor_token: v.token }), 10);
  const visitors = await connectAll(cfg.visitors, (v) => ({ visitor_token: v.token }), cfg.connect_concurrency);
  const failed = [...pairs, ...visitors].filter((r) => r.error).map((r) => r.error);
  out({
    type: "connected",
    connected: pairs.length + visitors.length - failed.length + (agent ? 1 : 0),
    failed: failed.length,
    errors: [...new Set(failed)].slice(0, 5),
    connect_ms: performance.now() - t0,
  });
  const live = visitors.filter((v) => !v.error).map((v) => v.socket);

  // Pair traffic: visitor -> agent and the agent's reply -> visitor, each one-way
  // latency read on this process's clock; the send time is kept as wall time.
  const sentAt = new Map();
  const toAgent = []; // [wall send time, latency ms]
  const toVisitor = [];
  const pairConversations = new Set((cfg.pairs || []).map((p) => p.conversation_id));
  let exchangeErrors = 0;
  if (agent) {
    agent.on("message", (m) => {
      if (!m || !pairConversations.has(m.conversation_id) || m.sender !== "visitor") return;
      const t = sentAt.get(m.client_id);
      if (t === undefined) return;
      toAgent.push([t[0], performance.now() - t[1]]);
      const replyId = "r" + m.client_id;
      sentAt.set(replyId, [wallNow(), performance.now()]);
      agent.emit(
        "send_message",
        { conversation_id: m.conversation_id, client_id: replyId, body: "reply to " + m.body },
        (ack) => {
          if (!ack || !ack.ok) exchangeErrors++;
        },
      );
    });
    pairs.forEach((p) => {
      if (p.error) return;
      p.socket.on("message", (m) => {
        if (!m || m.sender !== "agent") return;
        const t = sentAt.get(m.client_id);
        if (t !== undefined) toVisitor.push([t[0], performance.now() - t[1]]);
      });
    });
  }

  // Commands run concurrently: a typing burst lands while an exchange runs.
  async function handle(cmd) {
    if (cmd.cmd === "status") {
      out({ type: "status", connected: live.filter((s) => s.connected).length, disconnects, reasons });
    } else if (cmd.cmd === "typing") {
      const typists = live.slice(0, cmd.count);
      await sleepUntil(cmd.at);
      const start = performance.now();
      const acks = [];
      const errors = {};
      await Promise.all(
        typists.map(
          (s) =>
            new Promise((resolve) => {
              s.timeout(30000).emit("typing", { is_typing: true }, (err, ack) => {
                if (err) errors.timeout = (errors.timeout || 0) + 1;
                else if (ack && ack.ok) acks.push(performance.now() - start);
                else {
                  const code = (ack && ack.error && ack.error.code) || "unknown";
                  errors[code] = (errors[code] || 0) + 1;
                }
                resolve();
              });
            }),
        ),
      );
      out({
        type: "typing_done",
        sent: typists.length,
        acked: acks.length,
        errors,
        ack_p50_ms: quantile(acks, 0.5),
        ack_p99_ms: quantile(acks, 0.99),
        ack_max_ms: acks.length ? Math.max(...acks) : null,
      });
    } else if (cmd.cmd === "exchange") {
      const livePairs = pairs.filter((p) => !p.error);
      await sleepUntil(cmd.at);
      const everyMs = 1000 / cmd.rate;
      const end = wallNow() + cmd.seconds * 1000;
      let n = 0;
      const timers = livePairs.map((p, i) => {
        const send = () => {
          const id = `x${p.socket.id}-${n++}`;
          sentAt.set(id, [wallNow(), performance.now()]);
          p.socket.emit("send_message", { client_id: id, body: "ping " + n }, (ack) => {
            if (!ack || !ack.ok) exchangeErrors++;
          });
        };
        // Spread the pairs' sends over the interval.
        return setTimeout(() => {
          send();
          timers[i] = setInterval(send, everyMs);
        }, (i * everyMs) / livePairs.length);
      });
      await sleepUntil(end);
      timers.forEach((t) => {
        clearTimeout(t);
        clearInterval(t);
      });
      await new Promise((r) => setTimeout(r, cfg.drain_ms));
      out({ type: "exchange_done", to_agent: toAgent, to_visitor: toVisitor, sent: n, errors: exchangeErrors });
    }
  }

  const commands = readline.createInterface({ input: process.stdin });
  for await (const line of commands) {
    const cmd = JSON.parse(line);
    if (cmd.cmd === "quit") break;
    handle(cmd).catch((err) => out({ type: "error", error: String((err && err.stack) || err) }));
  }
  if (agent) agent.close();
  for (const r of [...pairs, ...visitors]) r.socket.close();
  setTimeout(() => process.exit(0), 300);
}

main().catch((err) => {
  out({ type: "error", error: String((err && err.stack) || err) });
  process.exit(1);
});
