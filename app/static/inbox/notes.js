// Private notes: the reply box's "Reply | Private note" switch, and sending
// a note so that a retry after a lost answer stores it once (its client_id).

import { t } from "../common/i18n.js";
import { el } from "../common/dom.js";
import { randomId } from "../common/ids.js";
import { lineIcon, LOCK } from "./activity.js";

const ATTEMPTS = 3;

/**
 * Store a note; retried with the same client_id while the answer times out.
 * @param {import("../common/connection.js").ChatConnection} connection
 * @param {number} conversationId
 * @param {string} body
 * @returns {Promise<object>} the last ack
 */
export async function sendNote(connection, conversationId, body) {
  const payload = { conversation_id: conversationId, client_id: randomId(), body };
  let ack = null;
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    ack = await connection.request("add_note", payload);
    if (ack.ok || ack.error?.code !== "timeout") break;
  }
  return ack;
}

/** The switch between writing a reply to the visitor and a note for agents. */
export class NoteMode {
  /**
   * @param {object} options
   * @param {HTMLElement} options.container where the switch goes
   * @param {HTMLFormElement} options.form the reply box
   * @param {HTMLTextAreaElement} options.textarea
   * @param {HTMLButtonElement} options.sendButton
   * @param {(isNote: boolean) => void} options.onChange
   */
  constructor({ container, form, textarea, sendButton, onChange }) {
    this.form = form;
    this.textarea = textarea;
    this.sendButton = sendButton;
    this.onChange = onChange;
    this.label = form.querySelector(`label[for="${textarea.id}"]`);
    this.replyText = { placeholder: textarea.placeholder, send: sendButton.textContent, label: this.label?.textContent };
    this.isNote = false;
    this.replyButton = el("button", {
      className: "composer-mode__option", text: t("composer.reply"), attrs: { type: "button", "aria-pressed": "true" },
    });
    this.noteButton = el("button", {
      className: "composer-mode__option composer-mode__option--note",
      attrs: { type: "button", "aria-pressed": "false", "data-key-action": "note" },
    }, lineIcon(LOCK, "composer-mode__lock"), t("composer.note"));
    container.replaceChildren(this.replyButton, this.noteButton);
    this.replyButton.addEventListener("click", () => this.set(false, true));
    this.noteButton.addEventListener("click", () => this.set(true, true));
  }

  /**
   * Write a reply (false) or a private note (true).
   * @param {boolean} isNote
   * @param {boolean} [focus] move the focus to the text box
   */
  set(isNote, focus = false) {
    const changed = isNote !== this.isNote;
    this.isNote = isNote;
    this.replyButton.setAttribute("aria-pressed", String(!isNote));
    this.noteButton.setAttribute("aria-pressed", String(isNote));
    this.form.classList.toggle("composer--note", isNote);
    this.textarea.placeholder = isNote ? t("composer.note_placeholder") : this.replyText.placeholder;
    this.sendButton.textContent = isNote ? t("composer.add_note") : this.replyText.send;
    if (this.label) this.label.textContent = isNote ? t("composer.note") : this.replyText.label;
    if (changed) this.onChange(isNote);
    if (focus && !this.textarea.disabled) this.textarea.focus();
  }

  /** The placeholder the reply box shows when it is usable. */
  get placeholder() {
    return this.isNote ? t("composer.note_placeholder") : this.replyText.placeholder;
  }
}
