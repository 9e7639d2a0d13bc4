// The host site's signed user, passed with LiveChat.identify(): the widget
// keeps it and sends it as `identity` when it starts a conversation, where
// the server checks user_hash (hex HMAC-SHA256 of user_id with the desk's
// identity secret). Nothing here is trusted; it is only shaped.

const FIELDS = ["user_id", "name", "email", "user_hash"];

/**
 * The identity's known fields as strings, or null when there is no user_id.
 * @param {unknown} value what the host page passed
 * @returns {{user_id: string, name?: string, email?: string, user_hash?: string}|null}
 */
export function normalizeIdentity(value) {
  if (!value || typeof value !== "object") return null;
  const identity = {};
  for (const field of FIELDS) {
    const item = value[field];
    if (typeof item === "string" && item.trim()) identity[field] = item.trim();
    else if (typeof item === "number" && Number.isFinite(item)) identity[field] = String(item);
  }
  return identity.user_id ? identity : null;
}
