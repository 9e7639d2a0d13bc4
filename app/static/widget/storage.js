// What the widget remembers in the browser, namespaced by chat server:
// the visitor's conversation and token (localStorage, shared by tabs), the
// messages not yet acknowledged (localStorage), and whether the panel was
// open (sessionStorage, per tab). Storage may be unavailable (privacy
// modes, blocked third-party storage); the widget then works for the page's
// lifetime only.

function readJson(store, key, fallback) {
  try {
    const text = store?.getItem(key);
    return text ? JSON.parse(text) : fallback;
  } catch {
    return fallback;
  }
}

function writeJson(store, key, value) {
  try {
    if (value === null) store?.removeItem(key);
    else store?.setItem(key, JSON.stringify(value));
  } catch {
    // Quota or access denied: keep working in memory.
  }
}

function safeStorage(name) {
  try {
    return window[name];
  } catch {
    return null;
  }
}

function isSession(value) {
  return Boolean(value && Number.isInteger(value.conversation_id) && typeof value.visitor_token === "string");
}

function isOutboxItem(item) {
  return Boolean(item && typeof item.client_id === "string" && typeof item.body === "string");
}

export class WidgetStorage {
  /**
   * @param {string} serverUrl the chat server's origin
   */
  constructor(serverUrl) {
    this.local = safeStorage("localStorage");
    this.perTab = safeStorage("sessionStorage");
    this.sessionKey = `livechat:${serverUrl}`;
    this.outboxKey = `livechat:${serverUrl}:outbox`;
    this.panelKey = `livechat:${serverUrl}:open`;
    this.firstSeenKey = `livechat:${serverUrl}:first_seen`;
    /** For the pre-chat form: the visitor's answers, asked once per browser. */
    this.prechat = {
      load: () => readJson(this.local, `livechat:${serverUrl}:prechat`, null),
      save: (answers) => writeJson(this.local, `livechat:${serverUrl}:prechat`, answers),
    };
    /** For the Outbox: load and save the queue of unacknowledged messages. */
    this.outbox = {
      load: () => readJson(this.local, this.outboxKey, []).filter(isOutboxItem),
      save: (items) => writeJson(this.local, this.outboxKey, items.length ? items : null),
    };
  }

  /** @returns {{conversation_id: number, visitor_token: string}|null} */
  loadSession() {
    const value = readJson(this.local, this.sessionKey, null);
    return isSession(value) ? value : null;
  }

  /** @param {{conversation_id: number, visitor_token: string, user_id?: string}} session */
  saveSession(session) {
    writeJson(this.local, this.sessionKey, {
      conversation_id: session.conversation_id,
      visitor_token: session.visitor_token,
      // Whose chat it is, when the host site identified its user.
      ...(typeof session.user_id === "string" ? { user_id: session.user_id } : {}),
    });
  }

  clearSession() {
    writeJson(this.local, this.sessionKey, null);
  }

  /** @returns {number} when the widget first saw this browser on the site (ms since 1970) */
  firstSeenAt() {
    const stored = readJson(this.local, this.firstSeenKey, null);
    if (Number.isInteger(stored) && stored <= Date.now()) return stored;
    const now = Date.now();
    writeJson(this.local, this.firstSeenKey, now);
    return now;
  }

  /** @returns {boolean} whether the panel was open on the previous page of this tab */
  loadPanelOpen() {
    return readJson(this.perTab, this.panelKey, false) === true;
  }

  /** @param {boolean} open */
  savePanelOpen(open) {
    writeJson(this.perTab, this.panelKey, open ? true : null);
  }
}
