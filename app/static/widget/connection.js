// The visitor's Socket.IO connection: the chat connection, authenticated
// with the visitor token and the page the visitor is on.

import { ChatConnection } from "../common/connection.js";
import { pageLocation } from "./api.js";

/** @typedef {import("../common/connection.js").ConnectionState} ConnectionState */

export class VisitorConnection extends ChatConnection {
  /** @param {object} options as ChatConnection's, and context: () => what the browser tells agents */
  constructor({ context, ...options }) {
    super(options);
    this.context = context;
  }

  /**
   * Connect as the visitor holding this token (closing any earlier socket).
   * @param {string} visitorToken
   */
  open(visitorToken) {
    super.open({ visitor_token: visitorToken, page_url: pageLocation(), context: this.context?.() });
  }
}
