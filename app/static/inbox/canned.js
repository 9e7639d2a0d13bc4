// Canned responses in the inbox: the shared list (loaded from the server and
// loaded again whenever any agent changes it), the "/shortcut" suggestions in
// the reply box and the dialog that manages them.

import { t } from "../common/i18n.js";
import { MAX_BODY_CHARS } from "../common/bodies.js";
import { CannedDialog } from "./canned-dialog.js";
import { CannedSuggestions } from "./canned-suggest.js";

const RELOAD_DELAY_MS = 200;

/**
 * Call the canned responses API (same origin, session cookie).
 * @param {string} method
 * @param {string} path under /api/v1/canned
 * @param {object} [body]
 * @returns {Promise<object|null>} the answer's JSON (null for 204)
 * @throws {Error} with the server's message and `status` (0: unreachable)
 */
async function call(method, path = "", body = undefined) {
  let response;
  try {
    response = await fetch(`/api/v1/canned${path}`, {
      method,
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-Requested-With": "XMLHttpRequest" },
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    const error = new Error(t("error.unreachable"));
    error.status = 0;
    throw error;
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (response.ok) return data;
  const error = new Error(data?.error?.message || t("error.http", { status: response.status }));
  error.status = response.status;
  throw error;
}

/** The desk's canned responses, as this inbox last loaded them. */
export class CannedStore {
  constructor() {
    /** @type {{id: number, shortcut: string, body: string}[]} sorted by shortcut */
    this.items = [];
    this.loaded = false;
    this.stale = true;
    this.listeners = new Set();
    this.reloadTimer = null;
  }

  /** @param {() => void} listener called after every load */
  subscribe(listener) {
    this.listeners.add(listener);
  }

  async load() {
    try {
      const data = await call("GET");
      this.items = Array.isArray(data?.canned) ? data.canned : [];
      this.loaded = true;
      this.stale = false;
    } catch {
      // Keep what we had; the next focus of the reply box tries again.
      this.stale = true;
    }
    for (const listener of this.listeners) listener();
  }

  /** Someone changed them: load again shortly (a burst of changes loads once). */
  changed() {
    this.stale = true;
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => this.load(), RELOAD_DELAY_MS);
  }

  /** Load when never loaded, or when a change was missed. */
  refreshIfStale() {
    if (this.stale) this.load();
  }

  /**
   * The responses whose shortcut starts with the query, then those that
   * only contain it.
   * @param {string} query lower-case, without the "/"
   */
  matching(query) {
    const starts = this.items.filter((item) => item.shortcut.startsWith(query));
    const contains = this.items.filter((item) => !item.shortcut.startsWith(query) && item.shortcut.includes(query));
    return [...starts, ...contains];
  }

  async create(shortcut, body) {
    await call("POST", "", { shortcut, body });
    await this.load();
  }

  async update(id, shortcut, body) {
    await call("PATCH", `/${encodeURIComponent(id)}`, { shortcut, body });
    await this.load();
  }

  async remove(id) {
    try {
      await call("DELETE", `/${encodeURIComponent(id)}`);
    } catch (error) {
      // Deleted by someone else meanwhile: what was asked for is done.
      if (error.status !== 404) throw error;
    }
    await this.load();
  }
}

/**
 * Wire canned responses into the inbox page.
 * @param {object} options
 * @param {HTMLTextAreaElement} options.textarea the reply box
 * @param {HTMLButtonElement} options.openButton opens the management dialog
 * @returns {{changed: () => void}} call changed() on the server's canned_changed event
 */
export function setUpCanned({ textarea, openButton }) {
  const maxChars = Number(document.body.dataset.maxBodyChars) || MAX_BODY_CHARS;
  const store = new CannedStore();
  new CannedSuggestions({ textarea, store });
  const dialog = new CannedDialog({ store, maxChars });
  openButton.addEventListener("click", () => dialog.open());
  return { changed: () => store.changed() };
}
