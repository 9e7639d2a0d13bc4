// The agent's Socket.IO connection. Same origin as the page, authenticated
// by the session cookie of the logged-in agent.

import { io } from "../vendor/socket.io/socket.io.esm.min.js";
import { request } from "../common/ack.js";

const REFUSED_RETRY_MS = 5000;
const SERVER_EVENTS = ["conversation", "conversation_deleted", "message", "receipt", "typing", "presence"];

/**
 * @typedef {"connecting"|"online"|"reconnecting"} ConnectionState
 */

export class AgentConnection {
  /**
   * @param {object} options
   * @param {boolean} options.pollingOnly use HTTP long-polling only
   * @param {(state: ConnectionState) => void} options.onState
   * @param {() => void} options.onConnect after every (re)connection
   * @param {() => void} options.onUnauthorized the session is no longer valid
   * @param {Record<string, (payload: object) => void>} options.handlers by server event name
   */
  constructor({ pollingOnly, onState, onConnect, onUnauthorized, handlers }) {
    this.onState = onState;
    this.retryTimer = null;
    this.socket = io({ transports: pollingOnly ? ["polling"] : ["polling", "websocket"] });
    onState("connecting");
    this.socket.on("connect", () => {
      onState("online");
      onConnect();
    });
    this.socket.on("disconnect", (reason) => {
      onState("reconnecting");
      if (reason === "io server disconnect") this.#retryLater();
    });
    this.socket.on("connect_error", (error) => {
      if (error?.message === "unauthorized") {
        onUnauthorized();
        return;
      }
      onState("reconnecting");
      if (!this.socket.active) this.#retryLater();
    });
    for (const event of SERVER_EVENTS) {
      this.socket.on(event, (payload) => handlers[event]?.(payload));
    }
  }

  /** @returns {boolean} */
  get connected() {
    return this.socket.connected;
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

  #retryLater() {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.socket.connected) this.socket.connect();
    }, REFUSED_RETRY_MS);
  }
}
