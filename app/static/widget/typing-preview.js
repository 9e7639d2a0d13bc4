// Live typing previews (when the desk shows them): what the visitor has
// typed so far goes to the agents who have the chat open, at most twice a
// second, and the widget says so above the message box. Whether the desk
// shows them is asked after each connect (an empty preview: answered ok or
// "forbidden"); a "forbidden" later (an admin turned them off) stops them.
// Nothing is sent while they are off.

import { el } from "../common/dom.js";

const PREVIEW_INTERVAL_MS = 500;

export class TypingPreviewSender {
  /**
   * @param {object} view the widget view (see view.js)
   * @param {(text: string) => Promise<object>} send the `typing_preview` ack
   */
  constructor(view, send) {
    this.view = view;
    this.send = send;
    this.enabled = false;
    this.lastSentAt = 0;
    this.timer = null;
    this.notice = view.say(el("p", { className: "lc-preview-notice", attrs: { id: "lc-preview-notice" } }), "preview.notice");
    this.notice.hidden = true;
    view.form.before(this.notice);
    view.textarea.addEventListener("input", () => this.#onInput());
  }

  /** Ask the server whether previews are on (after each connect). */
  async probe() {
    this.#apply(await this.send(""));
  }

  /** Previews stop (the connection or the chat went away). */
  disable() {
    this.#setEnabled(false);
  }

  /** The message was sent: any preview still waiting is dropped. */
  cancel() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  #onInput() {
    if (!this.enabled || this.timer) return;
    const wait = this.lastSentAt + PREVIEW_INTERVAL_MS - Date.now();
    if (wait <= 0) this.#sendNow();
    else this.timer = setTimeout(() => this.#sendNow(), wait);
  }

  async #sendNow() {
    this.timer = null;
    if (!this.enabled) return;
    this.lastSentAt = Date.now();
    this.#apply(await this.send(this.view.textarea.value));
  }

  #apply(ack) {
    if (ack?.ok) this.#setEnabled(true);
    else if (ack?.error?.code === "forbidden") this.#setEnabled(false);
  }

  #setEnabled(enabled) {
    this.enabled = enabled;
    this.notice.hidden = !enabled;
    if (!enabled) this.cancel();
    const { textarea } = this.view;
    if (enabled) textarea.setAttribute("aria-describedby", this.notice.id);
    else if (textarea.getAttribute("aria-describedby") === this.notice.id) textarea.removeAttribute("aria-describedby");
  }
}
