// Client-to-server events with acknowledgements, as promises.

import { t } from "./i18n.js";

/** How long to wait for an acknowledgement before treating it as lost. */
export const ACK_TIMEOUT_MS = 10000;

/**
 * Emit an event and wait for its acknowledgement. Never rejects: a lost
 * acknowledgement (timeout) answers like an error ack with code "timeout",
 * and so does an emit on a socket that is not connected.
 * @param {import("../vendor/socket.io/socket.io.esm.min.js").Socket} socket
 * @param {string} event
 * @param {object} payload
 * @returns {Promise<{ok: boolean, error?: {code: string, message: string}}>}
 */
export function request(socket, event, payload) {
  if (!socket || !socket.connected) {
    return Promise.resolve(failure("timeout", t("send.not_connected")));
  }
  return new Promise((resolve) => {
    socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err, ack) => {
      if (err) resolve(failure("timeout", t("send.no_answer")));
      else if (ack && typeof ack === "object") resolve(ack);
      else resolve(failure("internal", t("send.unexpected")));
    });
  });
}

/**
 * An error acknowledgement made on this side.
 * @param {string} code
 * @param {string} message
 * @returns {{ok: false, error: {code: string, message: string}}}
 */
export function failure(code, message) {
  return { ok: false, error: { code, message } };
}

/**
 * Codes that mean "sending this again will not help".
 * @param {{code?: string}|undefined} error
 * @returns {boolean}
 */
export function isPermanentError(error) {
  return ["invalid", "too_large", "forbidden", "not_found", "conflict"].includes(error?.code);
}
