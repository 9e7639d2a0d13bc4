// The visitor's Socket.IO connection: authenticates with the visitor token,
// reports its state, and passes server events on.

import { io } from "../vendor/socket.io/socket.io.esm.min.js";
import { request } from "../common/ack.js";
import { pageLocation } from "./api.js";

const REFUSED_RETRY_MS = 5000;
const SERVER_EVENTS = ["message", "receipt", "typing", "presence"];

/**
 * @typedef {"idle"|"connecting"|"online"|"reconnecting"} ConnectionState
 */

export class VisitorConnection {
  /**
   * @param {object} options
   * @param {string} options.serverUrl
   * @param {boolean} options.pollingOnly use HTTP long-polling only
   * @param {(state: ConnectionState) => void} options.onState
   * @param {() => void} options.onConnect after every (re)connection
   * @param {() => void} options.onUnauthorized the token was refused
   * @param {Record<string, (payload: object) => void>} options.handlers by server event name
   */
  constructor({ serverUrl, pollingOnly, onState, onConnect, onUnauthorized, handlers }) {
    this.serverUrl = serverUrl;
    this.pollingOnly = pollingOnly;
    this.onState = onState;
    this.onConnect = onConnect;
    this.onUnauthorized = onUnauthorized;
    this.handlers = handlers;
    this.socket = null;
    this.retryTimer = null;
  }

  /** @returns {boolean} */
  get connected() {
    return Boolean(this.socket?.connected);
  }

  /**
   * Connect as the visitor holding this token (closing any earlier socket).
   * @param {string} visitorToken
   */
  open(visitorToken) {
    this.close();
    const socket = io(this.serverUrl, {
      auth: { visitor_token: visitorToken, page_url: pageLocation() },
      transports: this.pollingOnly ? ["polling"] : ["polling", "websocket"],
    });
    this.socket = socket;
    this.onState("connecting");
    socket.on("connect", () => {
      this.onState("online");
      this.onConnect();
    });
    socket.on("disconnect", (reason) => this.#onDisconnect(socket, reason));
    socket.on("connect_error", (error) => this.#onConnectError(socket, error));
    for (const event of SERVER_EVENTS) {
      socket.on(event, (payload) => this.handlers[event]?.(payload));
    }
  }

  /** Disconnect for good (until open() is called again). */
  close() {
    clearTimeout(this.retryTimer);
    if (!this.socket) return;
    this.socket.removeAllListeners();
    this.socket.disconnect();
    this.socket = null;
    this.onState("idle");
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
    this.onState("reconnecting");
    // The client reconnects by itself except after a server-side disconnect.
    if (reason === "io server disconnect") this.#retryLater(socket);
  }

  #onConnectError(socket, error) {
    if (socket !== this.socket) return;
    if (error?.message === "unauthorized") {
      this.close();
      this.onUnauthorized();
      return;
    }
    this.onState("reconnecting");
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
