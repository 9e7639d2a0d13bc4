// The widget's one HTTP call: starting a conversation.

/**
 * Create a conversation for this visitor.
 * @param {string} serverUrl the chat server's origin
 * @param {{page_url?: string, name?: string, email?: string}} details
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
