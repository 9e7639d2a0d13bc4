// "Email me the transcript", in the widget's options menu: shown once the
// visitor has left an email address and the desk sends email. The server
// limits how often (CHAT_TRANSCRIPT_RATE) and says so.

import { el } from "../common/dom.js";
import { onLocaleChange, t } from "../common/i18n.js";
import { icon } from "../common/icons.js";

const NOTICE_MS = 6000;

export class TranscriptByEmail {
  /**
   * @param {object} view the widget view (see view.js)
   * @param {(event: string, payload: object) => Promise<object>} request an acknowledged socket event
   */
  constructor(view, request) {
    this.view = view;
    this.request = request;
    this.item = el("button", {
      className: "lc-menu__item",
      attrs: { type: "button", role: "menuitem", tabindex: "-1" },
    }, icon("mail", "lc-menu__icon"), view.say(el("span"), "transcript.menu_item"));
    this.item.hidden = true;
    this.item.addEventListener("click", () => this.#send());
    view.endChatItem.before(this.item);
    this.notice = el("p", { className: "lc-notice", attrs: { role: "status" } });
    this.notice.hidden = true;
    view.form.before(this.notice);
    this.timer = null;
    /** @type {() => string} the notice's text, in the language shown */
    this.text = () => "";
    onLocaleChange(() => {
      this.notice.textContent = this.text();
    });
  }

  /** @param {boolean} available an email address is on file and the desk sends email */
  setAvailable(available) {
    this.item.hidden = !available;
  }

  async #send() {
    const { view } = this;
    view.menu.hidden = true;
    view.menuButton.setAttribute("aria-expanded", "false");
    view.menuButton.focus();
    const ack = await this.request("email_transcript", {});
    if (ack.ok) this.#show(() => t("transcript.sending", { email: ack.email }));
    else if (ack.error?.code === "rate_limited") this.#show(() => t("transcript.rate_limited"));
    else this.#show(() => t("transcript.failed", { reason: ack.error?.message || t("error.try_again") }));
  }

  /** @param {() => string} text */
  #show(text) {
    clearTimeout(this.timer);
    this.text = text;
    this.notice.textContent = text();
    this.notice.hidden = false;
    this.timer = setTimeout(() => {
      this.notice.hidden = true;
    }, NOTICE_MS);
  }
}
