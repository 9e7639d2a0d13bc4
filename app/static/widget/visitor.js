// Who the visitor is and what their browser knows, for the agents: the
// host site's signed identity, the page's context, the pre-chat settings.

const MAX_TITLE = 200;
const MAX_REFERRER = 2048;

/**
 * The identity the host site passed (window.LiveChat = {identity: {...}}),
 * if it has the fields the server checks; anything else is ignored.
 * @param {unknown} value
 * @returns {{user_id: string|number, user_hash: string, name?: string, email?: string}|null}
 */
export function readIdentity(value) {
  if (!value || typeof value !== "object") return null;
  const { user_id: userId, user_hash: userHash, name, email } = value;
  if (!(typeof userId === "string" || Number.isInteger(userId))) return null;
  const identity = { user_id: userId, user_hash: typeof userHash === "string" ? userHash : "" };
  if (typeof name === "string" && name.trim()) identity.name = name.trim().slice(0, 100);
  if (typeof email === "string" && email.trim()) identity.email = email.trim().slice(0, 254);
  return identity;
}

/**
 * What the widget tells agents about this browser. The referrer, like the
 * page, goes without its query string: it may hold the visitor's secrets.
 * @param {number|null} firstSeenAt when this browser was first seen on the site (ms)
 * @returns {object}
 */
export function browserContext(firstSeenAt) {
  const context = {
    page_title: document.title.replace(/\s+/g, " ").trim().slice(0, MAX_TITLE),
    language: navigator.language && /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(navigator.language) ? navigator.language : undefined,
    time_zone: timeZone(),
    first_seen_at: Number.isInteger(firstSeenAt) ? firstSeenAt : undefined,
  };
  const referrer = withoutQuery(document.referrer);
  if (referrer) context.referrer = referrer.slice(0, MAX_REFERRER);
  return context;
}

function timeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}

function withoutQuery(address) {
  try {
    const url = new URL(address);
    return `${url.origin}${url.pathname}`;
  } catch {
    return "";
  }
}

/**
 * Ask the server who the visitor is. With the visitor's token, their
 * conversation becomes the signed user's; without, the answer may hold a
 * token for the user's latest open conversation (another device).
 * @param {string} serverUrl
 * @param {object} identity
 * @param {string|null} visitorToken
 * @returns {Promise<{conversation_id: number|null, visitor_token: string|null}>}
 * @throws {Error} with .code (the server's error code, or "network")
 */
export async function identify(serverUrl, identity, visitorToken = null) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (visitorToken) headers.Authorization = `Bearer ${visitorToken}`;
  let response;
  try {
    response = await fetch(`${serverUrl}/api/v1/identify`, {
      method: "POST", headers, body: JSON.stringify({ identity }), credentials: "omit",
    });
  } catch {
    throw Object.assign(new Error("The chat server cannot be reached."), { code: "network" });
  }
  const data = await response.json().catch(() => ({}));
  if (response.ok) return data;
  throw Object.assign(new Error(data?.error?.message || `HTTP ${response.status}`), {
    code: data?.error?.code || "internal",
  });
}

/** Errors that mean the identity itself is refused (not a passing failure). */
export function isRefusedIdentity(error) {
  return ["unauthorized", "forbidden", "invalid"].includes(error?.code);
}

/**
 * Which pre-chat fields to ask: {name, email}, each "off", "optional" or
 * "required"; none asked when the server cannot say.
 * @param {string} serverUrl
 */
export async function prechatFields(serverUrl) {
  try {
    const response = await fetch(`${serverUrl}/api/v1/widget/settings`, { credentials: "omit" });
    if (response.ok) return (await response.json()).prechat;
  } catch {
    // Unreachable: ask nothing, the chat itself retries.
  }
  return { name: "off", email: "off" };
}
