// The inbox's HTTP calls (same origin, session cookie).

import { t } from "../common/i18n.js";

/**
 * A page of one of the inbox's views.
 * @param {{view: string, sort: string, limit: number, cursor?: string|null}} query
 * @returns {Promise<{conversations: object[], next_cursor: string|null, counts?: object}>}
 * @throws {Error} with `status` set when the server answers with an error
 */
export async function fetchConversations({ view, sort, limit, cursor }) {
  const query = new URLSearchParams({ view, sort, limit: String(limit) });
  if (cursor) query.set("cursor", cursor);
  const response = await fetch(`/api/v1/conversations?${query}`, {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  if (!response.ok) {
    const error = new Error(t("list.load_failed", { status: response.status }));
    error.status = response.status;
    throw error;
  }
  return response.json();
}

/**
 * Where the transcript of a conversation downloads from (a JSON file).
 * @param {number} id
 * @returns {string}
 */
export function transcriptUrl(id) {
  return `/api/v1/conversations/${encodeURIComponent(id)}/transcript`;
}

/**
 * Delete a conversation with all its messages. A conversation that is
 * already gone counts as deleted.
 * @param {number} id
 * @returns {Promise<void>}
 * @throws {Error} with `status` set when the server refuses or cannot be reached
 */
export async function deleteConversation(id) {
  let response;
  try {
    response = await fetch(`/api/v1/conversations/${encodeURIComponent(id)}`, {
      method: "DELETE",
      headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
      credentials: "same-origin",
    });
  } catch {
    const error = new Error(t("error.unreachable"));
    error.status = 0;
    throw error;
  }
  if (response.ok || response.status === 404) return;
  const data = await response.json().catch(() => ({}));
  const error = new Error(data?.error?.message || t("error.http", { status: response.status }));
  error.status = response.status;
  throw error;
}
