// The admin pages' HTTP calls: same origin, the session cookie, and the
// page's CSRF token on every change.

import { t } from "../common/i18n.js";

const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content || "";

/**
 * Call the API; the parsed JSON answer (null for 204).
 * @param {string} method
 * @param {string} path under /api/v1
 * @param {object} [body] sent as JSON
 * @returns {Promise<object|null>}
 * @throws {Error} with `status` (0 when the server cannot be reached) and the server's message
 */
export async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw failure(0, t("error.unreachable"));
  }
  if (response.status === 401) window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw failure(response.status, data?.error?.message || t("error.http", { status: response.status }));
  return data;
}

function failure(status, message) {
  const error = new Error(message);
  error.status = status;
  return error;
}
