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
