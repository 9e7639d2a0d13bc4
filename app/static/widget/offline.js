// When nobody can answer now (outside business hours, or no agent online):
// a card above the composer says when an answer will come ("We're back
// Monday at 9:00", in the visitor's own time) and asks for an email address
// so that the reply can come by email. The server tells the hours (the
// `chat_state` event, or GET /api/v1/availability before a chat exists) and
// whether agents are online (`presence`); the card follows both, and turns
// itself over when the desk opens or closes.

import { el } from "../common/dom.js";
import { formatLocale, onLocaleChange, t } from "../common/i18n.js";

// setTimeout's longest delay; a later change is looked at again then.
const MAX_TIMER_MS = 2 ** 31 - 1;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * When the desk opens, in the visitor's language and time zone.
 * @param {string|null} opensAt ISO time, or null when not within a week
 * @param {Date} [now]
 * @returns {string}
 */
export function backText(opensAt, now = new Date()) {
  if (!opensAt) return t("offline.away");
  const at = new Date(opensAt);
  const time = at.toLocaleTimeString(formatLocale(), { hour: "numeric", minute: "2-digit" });
  const days = Math.round((startOfDay(at) - startOfDay(now)) / DAY_MS);
  if (days === 0) return oneFullStop(t("offline.back_today", { time }));
  if (days === 1) return oneFullStop(t("offline.back_tomorrow", { time }));
  const day = at.toLocaleDateString(formatLocale(), { weekday: "long" });
  return oneFullStop(t("offline.back_day", { day, time }));
}

/** A time that ends in a full stop ("9:00 a.m.") ends the sentence too: not "a.m..". */
function oneFullStop(text) {
  return text.replace(/\.\.$/, ".");
}

function startOfDay(date) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

export class OfflineCard {
  /**
   * @param {object} view the widget view (see view.js)
   * @param {{saveEmail: (email: string) => Promise<string|(() => string)|null>}} actions
   *   saveEmail stores the address and answers an error text (or a function
   *   making it in the language shown), or null when saved
   */
  constructor(view, { saveEmail }) {
    this.view = view;
    this.saveEmail = saveEmail;
    /** @type {{open: boolean, opens_at: string|null, closes_at: string|null}|null} */
    this.hours = null;
    /** @type {boolean|null} null until the server says */
    this.agentsOnline = null;
    /** @type {string|null} the address the server holds for this chat */
    this.email = null;
    /** Whether the desk sends email at all: without it, no address is asked for. */
    this.mail = false;
    this.timer = null;
    /** @type {string|(() => string)} what is wrong with the address, "" when nothing */
    this.problem = "";
    this.#build();
    view.form.before(this.card);
    onLocaleChange(() => {
      this.#show();
      this.#showError(this.problem);
    });
  }

  #build() {
    this.title = el("p", { className: "lc-offline__title", attrs: { id: "lc-offline-title" } });
    this.text = el("p", { className: "lc-offline__text" });
    this.input = el("input", {
      className: "lc-offline__input",
      attrs: {
        id: "lc-offline-email", type: "email", name: "email", required: "",
        autocomplete: "email", inputmode: "email", maxlength: "254",
      },
    });
    this.view.say(this.input, "offline.email_placeholder", "placeholder");
    this.saveButton = this.view.say(el("button", { className: "lc-button lc-button--primary", attrs: { type: "submit" } }),
      "offline.save");
    this.error = el("p", { className: "lc-offline__error", attrs: { role: "alert" } });
    this.error.hidden = true;
    this.form = el("form", { className: "lc-offline__form", attrs: { novalidate: "" } },
      this.view.say(el("label", { className: "sr-only", attrs: { for: "lc-offline-email" } }), "offline.email_label"),
      this.input, this.saveButton);
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#submit();
    });
    this.changeButton = this.view.say(el("button", { className: "lc-offline__change", attrs: { type: "button" } }),
      "offline.change");
    this.changeButton.addEventListener("click", () => this.#editEmail());
    this.saved = el("p", { className: "lc-offline__saved" });
    this.savedRow = el("div", { className: "lc-offline__saved-row" }, this.saved, this.changeButton);
    this.card = el("section", {
      className: "lc-offline",
      attrs: { "aria-labelledby": "lc-offline-title", "aria-live": "polite" },
    }, this.title, this.text, this.form, this.error, this.savedRow);
    this.card.hidden = true;
  }

  /** @param {{open: boolean, opens_at: string|null, closes_at: string|null}|undefined} hours */
  setHours(hours) {
    if (!hours || typeof hours.open !== "boolean") return;
    this.hours = hours;
    this.#show();
    this.#watch();
  }

  /** @param {boolean|null} online */
  setAgentsOnline(online) {
    this.agentsOnline = online;
    this.#show();
  }

  /** @param {string|null|undefined} email the address the server holds */
  setEmail(email) {
    this.email = typeof email === "string" && email ? email : null;
    this.#show();
  }

  /** @param {boolean|undefined} mail whether the desk answers by email */
  setMail(mail) {
    this.mail = mail === true;
    this.#show();
  }

  /** @returns {string|null} an address given before the chat existed, to store once it does */
  get pendingEmail() {
    return this.pending ?? null;
  }

  /** Outside business hours. */
  get isClosed() {
    return Boolean(this.hours && !this.hours.open);
  }

  /** Nobody can answer now: the desk is closed, or no agent is online. */
  get isAway() {
    if (this.hours && !this.hours.open) return true;
    return this.agentsOnline === false;
  }

  /** Show the card again as things stand (after the chat ended, or a new one began). */
  refresh() {
    this.#show();
  }

  #show() {
    this.card.hidden = !this.isAway || this.view.isEnded;
    if (this.card.hidden) return;
    const closed = this.hours && !this.hours.open;
    this.title.textContent = closed ? backText(this.hours.opens_at) : t("offline.nobody_online");
    if (!this.mail) {
      this.text.textContent = t("offline.answer_here");
      this.text.hidden = false;
      this.form.hidden = this.savedRow.hidden = true;
      return;
    }
    const email = this.email ?? this.pending;
    this.text.textContent = t(email ? "offline.answer_here_and_email" : "offline.ask_email");
    this.text.hidden = Boolean(email) && !this.editing;
    this.saved.textContent = email ? t("offline.reply_to", { email }) : "";
    this.form.hidden = Boolean(email) && !this.editing;
    this.savedRow.hidden = !email || this.editing;
  }

  /** Look again when the desk opens or closes. */
  #watch() {
    clearTimeout(this.timer);
    const next = this.hours.open ? this.hours.closes_at : this.hours.opens_at;
    if (!next) return;
    const wait = Math.min(Math.max(new Date(next).getTime() - Date.now(), 0) + 1000, MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      if (Date.now() < new Date(next).getTime()) return this.#watch();
      this.onDue?.();
    }, wait);
  }

  #editEmail() {
    this.editing = true;
    this.input.value = this.email ?? this.pending ?? "";
    this.#show();
    this.input.focus();
  }

  async #submit() {
    const email = this.input.value.trim();
    if (!email || !this.input.checkValidity()) {
      this.#showError(() => t("offline.email_invalid"));
      this.input.focus();
      return;
    }
    this.saveButton.disabled = true;
    const problem = await this.saveEmail(email);
    this.saveButton.disabled = false;
    if (problem) {
      this.#showError(problem);
      return;
    }
    this.#showError("");
    this.editing = false;
    this.#show();
    this.view.announce(t("offline.saved", { email: this.email ?? this.pending }));
  }

  /**
   * The server refused the address given before the chat existed: ask again.
   * @param {string|(() => string)} text what was wrong (a function: in the language shown)
   */
  refuse(text) {
    this.editing = true;
    this.#show();
    this.#showError(text);
  }

  /** Keep an address until the chat exists (the first message creates it). */
  keepPending(email) {
    this.pending = email;
  }

  /** @param {string|(() => string)} problem a function gives the text in the language shown */
  #showError(problem) {
    this.problem = problem;
    const text = typeof problem === "function" ? problem() : problem;
    this.error.textContent = text;
    this.error.hidden = !text;
    this.input.setAttribute("aria-invalid", String(Boolean(text)));
  }
}
