// What the Node client processes of the benchmarks share: JSON lines on
// stdout, a hard time limit, and connecting many sockets a few at a time.
"use strict";

const { io } = require("socket.io-client");

const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

// Whatever happens, the process ends after `ms`.
function exitAfter(ms) {
  setTimeout(() => {
    out({ type: "error", error: "hard time limit reached" });
    process.exit(2);
  }, ms).unref();
}

// Resolves to {socket, error} once the socket connected (error null) or failed.
function connect(url, options) {
  return new Promise((resolve) => {
    const socket = io(url, options);
    const done = (error) => {
      socket.off("connect", ok);
      socket.off("connect_error", fail);
      resolve({ socket, error });
    };
    const ok = () => done(null);
    const fail = (err) => done(String((err && err.message) || err));
    socket.on("connect", ok);
    socket.on("connect_error", fail);
  });
}

// connectOne(item) for every item, at most `concurrency` at a time; results in order.
async function connectAll(items, connectOne, concurrency) {
  const results = new Array(items.length);
  let next = 0;
  async function lane() {
    while (next < items.length) {
      const i = next++;
      results[i] = await connectOne(items[i]);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

module.exports = { out, exitAfter, connect, connectAll };
