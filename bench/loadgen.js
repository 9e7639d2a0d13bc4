// One load-generator process for bench/run.py: visitors that send messages at
// an even rate and the agents that receive them and answer with receipts;
// with --typists, also visitors that type all the while (typists.js).
//
// Usage: node bench/loadgen.js CONFIG.json
//
// The config names this process's agent sockets and visitor sockets. Every
// visitor's assigned agent lives in the same process, so the latency from a
// visitor's send to its arrival at that agent is read on one clock.
//
// Lines on stdout (JSON), lines on stdin (JSON):
//   -> {"type":"ready", ...}          all sockets connected (or failed)
//   <- {"start_at": EPOCH_MS}         start sending at that wall-clock time
//   -> {"type":"result", ...}         counts, latencies, CPU; then the process exits
"use strict";

const fs = require("fs");
const http = require("http");
const readline = require("readline");
const { performance } = require("perf_hooks");
const sockets = require("./sockets");
const { TypingStorm } = require("./typists");

const { out } = sockets;
const cfg = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));

// Hard stop, whatever happens: connect + run + drain + a margin.
sockets.exitAfter((cfg.connect_timeout + cfg.seconds + cfg.grace + 60) * 1000);

function socketOptions(auth) {
  const opts = {
    auth,
    transports: [cfg.transport],
    forceNew: true,
    reconnection: false,
    timeout: cfg.connect_timeout * 1000,
  };
  if (cfg.transport === "websocket") {
    // Browsers negotiate permessage-deflate; the Node client does too unless told not to.
    opts.perMessageDeflate = cfg.deflate ? { threshold: 1024 } : false;
  } else if (cfg.keepalive) {
    // Like a browser tab: requests reuse a couple of kept-alive connections.
    opts.agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  }
  return opts;
}

function connectAll(url, items, makeAuth, concurrency) {
  return sockets.connectAll(items, (item) => sockets.connect(url, socketOptions(makeAuth(item))), concurrency);
}

const stats = {
  sent: 0,
  acked: 0,
  ack_errors: {},
  ack_timeouts: 0,
  delivered: 0,
  duplicates: 0,
  agent_messages: 0, // every agent socket's `message` events for this step
  receipts_sent: 0,
  receipts_acked: 0,
  receipt_errors: {},
  receipts_at_visitor: 0,
  disconnects: 0,
  latencies: [], // ms, send -> arrival at the assigned agent
  ack_latencies: [], // ms, send -> ack
  send_lag_max: 0, // ms, how late the send timers fired (load-generator health)
  send_lags: [],
  last_delivery_s: 0, // seconds after the start, of the last delivery
};

function countError(table, ack) {
  const code = (ack && ack.error && ack.error.code) || "unknown";
  table[code] = (table[code] || 0) + 1;
}

const pending = new Map(); // client_id -> send time (performance.now())
const deliveredIds = new Set();

async function main() {
  const t0 = performance.now();
  // The agents may be on another server process (bench/scale.py): then every
  // message and receipt crosses the message queue.
  const agents = await connectAll(cfg.agent_url, cfg.agents, (a) => ({ token: a.token }), 4);
  const agentSocket = new Map(); // agent index -> socket
  cfg.agents.forEach((a, i) => agentSocket.set(a.index, agents[i].socket));
  const visitors = await connectAll(cfg.url, cfg.visitors, (v) => ({ visitor_token: v.token }), 25);
  const typists = await connectAll(cfg.url, cfg.typists, (t) => ({ visitor_token: t.token }), 25);
  const byConversation = new Map(); // conversation id -> visitor config
  cfg.visitors.forEach((v) => byConversation.set(v.conversation_id, v));
  const everyone = [...agents, ...visitors, ...typists];
  const failed = everyone.filter((r) => r.error).map((r) => r.error);
  out({
    type: "ready",
    connected: everyone.length - failed.length,
    failed: failed.length,
    errors: [...new Set(failed)].slice(0, 5),
    connect_ms: performance.now() - t0,
  });

  const prefix = cfg.step_id + "-";
  let receiving = true;
  let startPerf = Infinity; // set once the start time is known

  for (const a of cfg.agents) {
    const socket = agentSocket.get(a.index);
    socket.on("disconnect", () => stats.disconnects++);
    socket.on("message", (msg) => {
      if (!receiving || !msg || typeof msg.client_id !== "string" || !msg.client_id.startsWith(prefix)) return;
      stats.agent_messages++;
      const v = byConversation.get(msg.conversation_id);
      if (!v || v.agent !== a.index) return; // another agent answers this conversation
      const sentAt = pending.get(msg.client_id);
      if (deliveredIds.has(msg.client_id)) {
        stats.duplicates++;
        return;
      }
      deliveredIds.add(msg.client_id);
      stats.delivered++;
      stats.last_delivery_s = (performance.now() - startPerf) / 1000;
      if (sentAt !== undefined) stats.latencies.push(performance.now() - sentAt);
      stats.receipts_sent++;
      socket
        .timeout(cfg.ack_timeout * 1000)
        .emit(
          "receipt",
          { conversation_id: msg.conversation_id, status: "delivered", up_to_seq: msg.seq },
          (err, ack) => {
            if (err) countError(stats.receipt_errors, { error: { code: "timeout" } });
            else if (ack && ack.ok) stats.receipts_acked++;
            else countError(stats.receipt_errors, ack);
          },
        );
    });
  }

  const live = [];
  cfg.visitors.forEach((v, i) => {
    const socket = visitors[i].socket;
    if (visitors[i].error) return;
    socket.on("disconnect", () => stats.disconnects++);
    socket.on("receipt", (r) => {
      if (receiving && r && r.by === "agent") stats.receipts_at_visitor++;
    });
    live.push({ v, socket });
  });
  const storm = typingStorm(typists);

  const startAt = await new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin });
    rl.once("line", (line) => {
      rl.close();
      resolve(JSON.parse(line).start_at);
    });
  });

  // Wall clock -> this process's monotonic clock.
  startPerf = performance.now() + (startAt - Date.now());
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const total = Math.floor(cfg.rate * cfg.seconds);
  const everyMs = 1000 / cfg.rate;
  const V = cfg.total_visitors;
  let timersLeft = 0;
  storm.run(startPerf, startPerf + cfg.seconds * 1000);

  // Global send i goes to visitor i mod V at start + i / rate: an even rate overall.
  for (const { v, socket } of live) {
    let i = v.index;
    if (i >= total) continue;
    timersLeft++;
    const fire = () => {
      const now = performance.now();
      const lag = now - (startPerf + i * everyMs);
      if (lag > stats.send_lag_max) stats.send_lag_max = lag;
      stats.send_lags.push(lag);
      const clientId = `${prefix}${v.index}-${i}`;
      pending.set(clientId, now);
      stats.sent++;
      socket
        .timeout(cfg.ack_timeout * 1000)
        .emit("send_message", { client_id: clientId, body: `load ${i} from visitor ${v.index}` }, (err, ack) => {
          if (err) stats.ack_timeouts++;
          else if (ack && ack.ok) {
            stats.acked++;
            stats.ack_latencies.push(performance.now() - now);
          } else countError(stats.ack_errors, ack);
        });
      i += V;
      if (i < total) setTimeout(fire, Math.max(0, startPerf + i * everyMs - performance.now()));
      else timersLeft--;
    };
    setTimeout(fire, Math.max(0, startPerf + i * everyMs - performance.now()));
  }

  // Sending ends after `seconds`; then wait for stragglers, at most `grace` seconds.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startPerf + cfg.seconds * 1000 - performance.now())));
  const sendEnd = performance.now();
  const graceEnd = sendEnd + cfg.grace * 1000;
  // A receipt that changes nothing is not broadcast (one overtaken by a later
  // seq), so receipts at the visitors get a short extra wait, not an exact count.
  let settledAt = null;
  while (performance.now() < graceEnd) {
    const settled =
      timersLeft === 0 &&
      stats.delivered >= stats.sent &&
      stats.acked + stats.ack_timeouts + sum(stats.ack_errors) >= stats.sent &&
      stats.receipts_acked + sum(stats.receipt_errors) >= stats.receipts_sent &&
      storm.settled();
    if (settled && settledAt === null) settledAt = performance.now();
    if (settled && (stats.receipts_at_visitor >= stats.receipts_acked || performance.now() - settledAt > 300)) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  receiving = false;
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  out({
    type: "result",
    worker: cfg.worker,
    ...stats,
    send_lags: undefined,
    send_lag_p99: quantile(stats.send_lags, 0.99),
    send_seconds: (sendEnd - startPerf) / 1000,
    drain_seconds: (performance.now() - sendEnd) / 1000,
    cpu_user_ms: cpu.user / 1000,
    cpu_system_ms: cpu.system / 1000,
    wall_ms: wall,
    latencies: stats.latencies.map((x) => Math.round(x * 100) / 100),
    ack_latencies: stats.ack_latencies.map((x) => Math.round(x * 100) / 100),
    typing: storm.result(),
  });
  for (const r of everyone) r.socket.close();
  setTimeout(() => process.exit(0), 200);
}

// This process's share of the typists, each on its own conversation.
function typingStorm(typists) {
  const live = [];
  cfg.typists.forEach((t, i) => {
    if (typists[i].error) return;
    typists[i].socket.on("disconnect", () => stats.disconnects++);
    live.push({ socket: typists[i].socket, conversation_id: t.conversation_id });
  });
  return new TypingStorm(live, cfg.typing_refresh * 1000, cfg.ack_timeout * 1000);
}

function sum(table) {
  return Object.values(table).reduce((a, b) => a + b, 0);
}

function quantile(values, q) {
  if (!values.length) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

main().catch((err) => {
  out({ type: "error", error: String((err && err.stack) || err) });
  process.exit(1);
});
