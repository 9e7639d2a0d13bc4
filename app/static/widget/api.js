// The widget's HTTP calls: starting a conversation and ending it.

import { t } from "../common/i18n.js";

/**
 * The host page's origin and path, for the agents' "On example.com/pricing".
 * The query string and #fragment stay behind: they may hold the visitor's
 * secrets (password reset tokens, OAuth codes).
 * @returns {string}
 */
export function pageLocation() {
  return `${window.location.origin}${window.location.pathname}`;
}

/**
 * Create a conversation for this visitor.
 * @param {string} serverUrl the chat server's origin
 * @param {{page_url?: string, name?: string, email?: string, identity?: object}} details
 *   identity: the host site's signed user, {user_id, name, email, user_hash}
 * @returns {Promise<{conversation_id: number, visitor_token: string}>}
 * @throws {Error} when the server cannot be reached or refuses
 */
export async function createConversation(serverUrl, details) {
  const response = await fetch(`${serverUrl}/api/v1/conversations`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(details),
    credentials: "omit",
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data?.error?.message || `HTTP ${response.status}`);
    error.code = data?.error?.code || "internal";
    throw error;
  }
  return data;
}

/**
 * End the visitor's conversation: it closes and the token stops working.
 * A token the server no longer knows (the chat was ended or deleted
 * already) counts as ended.
 * @param {string} serverUrl
 * @param {{conversation_id: number, visitor_token: string}} session
 * @returns {Promise<void>}
 * @throws {Error} when the server cannot be reached or refuses otherwise
 */
export async function endConversation(serverUrl, session) {
  let response;
  try {
    response = await fetch(`${serverUrl}/api/v1/conversations/${encodeURIComponent(session.conversation_id)}/end`, {
      method: "POST",
      headers: { Authorization: `Bearer ${session.visitor_token}`, Accept: "application/json" },
      credentials: "omit",
    });
  } catch {
    throw new Error(t("end.unreachable"));
  }
  if (response.ok || response.status === 401 || response.status === 404) return;
  const data = await response.json().catch(() => ({}));
  throw new Error(data?.error?.message ? t("end.failed_reason", { reason: data.error.message }) : t("end.failed"));
}

/**
 * Whether the desk can answer now: its business hours and whether an agent
 * is online (before a chat exists; afterwards `chat_state` and `presence` say).
 * @param {string} serverUrl
 * @returns {Promise<{hours: {open: boolean, opens_at: string|null, closes_at: string|null}, agents_online: boolean}|null>}
 *   null when the server cannot be reached
 */
export async function fetchAvailability(serverUrl) {
  try {
    const response = await fetch(`${serverUrl}/api/v1/availability`, {
      headers: { Accept: "application/json" },
      credentials: "omit",
    });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}
