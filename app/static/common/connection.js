// A Socket.IO connection to the chat server, for the widget and the inbox:
// reports its state, retries what the client does not retry by itself, and
// passes server events on. Who connects (the auth) and which events matter
// (the handlers) are the caller's.

import { io } from "../vendor/socket.io/socket.io.esm.min.js";
import { request } from "./ack.js";

const REFUSED_RETRY_MS = 5000;

/**
 * @typedef {"idle"|"connecting"|"online"|"reconnecting"} ConnectionState
 */

export class ChatConnection {
  /**
   * @param {object} options
   * @param {string} [options.serverUrl] origin of the chat server (default: the page's)
   * @param {boolean} options.pollingOnly use HTTP long-polling only
   * @param {(state: ConnectionState) => void} options.onState
   * @param {() => void} options.onConnect after every (re)connection
   * @param {() => void} options.onUnauthorized the credentials were refused
   * @param {Record<string, (payload: object) => void>} options.handlers by server event name
   */
  constructor({ serverUrl, pollingOnly, onState, onConnect, onUnauthorized, handlers }) {
    this.options = { serverUrl, pollingOnly, onState, onConnect, onUnauthorized, handlers };
    this.socket = null;
    this.retryTimer = null;
  }

  /** @returns {boolean} */
  get connected() {
    return Boolean(this.socket?.connected);
  }

  /**
   * Connect (closing any earlier socket).
   * @param {object} [auth] credentials for the server; none when the session cookie is enough
   */
  open(auth) {
    this.close();
    const { serverUrl, pollingOnly, onState, onConnect, handlers } = this.options;
    const socket = io(serverUrl, { auth, transports: pollingOnly ? ["polling"] : ["polling", "websocket"] });
    this.socket = socket;
    onState("connecting");
    socket.on("connect", () => {
      onState("online");
      onConnect();
    });
    socket.on("disconnect", (reason) => this.#onDisconnect(socket, reason));
    socket.on("connect_error", (error) => this.#onConnectError(socket, error));
    for (const [event, handler] of Object.entries(handlers)) socket.on(event, (payload) => handler(payload));
  }

  /** Disconnect for good (until open() is called again). */
  close() {
    clearTimeout(this.retryTimer);
    if (!this.socket) return;
    this.socket.removeAllListeners();
    this.socket.disconnect();
    this.socket = null;
    this.options.onState("idle");
  }

  /**
   * Emit a client-to-server event and wait for its acknowledgement.
   * @param {string} event
   * @param {object} payload
   * @returns {Promise<object>} the ack ({ok: false, error: {code: "timeout"}} when offline)
   */
  request(event, payload) {
    return request(this.socket, event, payload);
  }

  #onDisconnect(socket, reason) {
    if (socket !== this.socket) return;
    this.options.onState("reconnecting");
    // The client reconnects by itself except after a server-side disconnect.
    if (reason === "io server disconnect") this.#retryLater(socket);
  }

  #onConnectError(socket, error) {
    if (socket !== this.socket) return;
    if (error?.message === "unauthorized") {
      this.close();
      this.options.onUnauthorized();
      return;
    }
    this.options.onState("reconnecting");
    // A refusal by the server (rather than a network error) is not retried by the client.
    if (!socket.active) this.#retryLater(socket);
  }

  #retryLater(socket) {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (socket === this.socket && !socket.connected) socket.connect();
    }, REFUSED_RETRY_MS);
  }
}
