// The inbox's HTTP calls (same origin, session cookie).

/**
 * All conversations, most recent activity first.
 * @returns {Promise<object[]>} conversation summaries
 * @throws {Error} with `status` set when the server answers with an error
 */
export async function fetchConversations() {
  const response = await fetch("/api/v1/conversations", {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  if (!response.ok) {
    const error = new Error(`Could not load conversations (HTTP ${response.status})`);
    error.status = response.status;
    throw error;
  }
  const data = await response.json();
  return Array.isArray(data.conversations) ? data.conversations : [];
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
    const error = new Error("The server cannot be reached. Check the connection and try again.");
    error.status = 0;
    throw error;
  }
  if (response.ok || response.status === 404) return;
  const data = await response.json().catch(() => ({}));
  const error = new Error(data?.error?.message || `The server answered HTTP ${response.status}.`);
  error.status = response.status;
  throw error;
}
