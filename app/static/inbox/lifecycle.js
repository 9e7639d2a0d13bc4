// Where the open conversation stands: the state in its header ("Resolved",
// "Snoozed until Tue 9:00") and the Resolve, Reopen and Snooze buttons, with
// the snooze's small menu of times.

import { t } from "../common/i18n.js";
import { el } from "../common/dom.js";
import { formatWhen, lineIcon } from "./activity.js";

const ICONS = {
  resolve: ["M3 8.5l3 3 7-7"],
  reopen: ["M3.5 8a4.5 4.5 0 1 0 1.3-3.2", "M4.5 2v3h3"],
  snooze: ["M8 5v3l2 1.5", "M8 2.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11z"],
};

/**
 * The times the menu offers, in local time.
 * @param {Date} now
 * @returns {{label: string, until: Date}[]}
 */
export function snoozeChoices(now = new Date()) {
  const at9 = (days) => new Date(now.getFullYear(), now.getMonth(), now.getDate() + days, 9, 0);
  // Monday of next week: on a Sunday, not tomorrow (that is the choice above).
  const toMonday = ((8 - now.getDay()) % 7 || 7) + (now.getDay() === 0 ? 7 : 0);
  return [
    { label: t("snooze.in_an_hour"), until: new Date(now.getTime() + 60 * 60 * 1000) },
    { label: t("snooze.tomorrow"), until: at9(1) },
    { label: t("snooze.next_monday"), until: at9(toMonday) },
  ];
}

/** The value of a datetime-local input for a time (local, to the minute). */
function localInputValue(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function actionButton(action, text) {
  return el("button", {
    className: "button button--quiet button--small lifecycle__button",
    attrs: { type: "button", "data-key-action": action, title: text },
  }, lineIcon(ICONS[action], "button__icon"), el("span", { className: "lifecycle__label", text }));
}

export class LifecycleControls {
  /**
   * @param {object} options
   * @param {HTMLElement} options.container where the buttons go (in the header)
   * @param {HTMLElement} options.stateLabel the header's state pill
   * @param {import("../common/connection.js").ChatConnection} options.connection
   * @param {(summary: object, line: object|null) => void} options.onChanged the server's answer
   * @param {(message: string) => void} options.onError
   */
  constructor({ container, stateLabel, connection, onChanged, onError }) {
    this.stateLabel = stateLabel;
    this.connection = connection;
    this.onChanged = onChanged;
    this.onError = onError;
    this.summary = null;
    this.busy = false;
    this.resolveButton = actionButton("resolve", t("lifecycle.resolve"));
    this.reopenButton = actionButton("reopen", t("lifecycle.reopen"));
    this.snoozeButton = actionButton("snooze", t("lifecycle.snooze"));
    this.snoozeButton.setAttribute("aria-haspopup", "dialog");
    this.snoozeButton.setAttribute("aria-expanded", "false");
    this.menu = this.#buildMenu();
    const snooze = el("div", { className: "lifecycle__snooze" }, this.snoozeButton, this.menu);
    container.replaceChildren(this.resolveButton, this.reopenButton, snooze);
    this.#bind();
  }

  /**
   * Show the state of the open conversation (null when none is open).
   * @param {object|null} summary
   */
  setConversation(summary) {
    if (summary?.id !== this.summary?.id) this.#closeMenu(false);
    this.summary = summary;
    this.#render();
  }

  #state() {
    if (!this.summary) return null;
    if (this.summary.status === "closed" || this.summary.state === "ended") return "ended";
    return this.summary.state || "open";
  }

  #render() {
    const state = this.#state();
    // Not disabled while a change is on its way (that would drop the focus);
    // #change ignores clicks meanwhile.
    const show = (button, visible) => {
      button.hidden = !visible;
      button.disabled = !visible;
    };
    show(this.resolveButton, state === "open" || state === "snoozed");
    show(this.reopenButton, state === "resolved" || state === "snoozed");
    show(this.snoozeButton, state === "open" || state === "snoozed");
    if (this.snoozeButton.hidden) this.#closeMenu(false);
    const label = {
      resolved: t("state.resolved"),
      snoozed: t("state.snoozed_until", { when: formatWhen(this.summary?.snoozed_until) }),
    }[state];
    this.stateLabel.textContent = label || "";
    this.stateLabel.hidden = !label;
    this.stateLabel.className = `status-pill status-pill--${state}`;
  }

  #buildMenu() {
    this.choiceList = el("div", { className: "snooze-menu__choices" });
    this.customInput = el("input", {
      className: "snooze-menu__input",
      attrs: { type: "datetime-local", id: "snooze-custom", required: "" },
    });
    this.customForm = el("form", { className: "snooze-menu__custom" },
      el("label", { text: t("snooze.until_date"), attrs: { for: "snooze-custom" } }),
      el("div", { className: "snooze-menu__row" }, this.customInput,
        el("button", { className: "button button--primary button--small", text: t("lifecycle.snooze"), attrs: { type: "submit" } })));
    return el("div", {
      className: "snooze-menu",
      attrs: { role: "dialog", "aria-label": t("snooze.title"), hidden: "" },
    }, el("p", { className: "snooze-menu__title", text: t("snooze.title") }), this.choiceList, this.customForm);
  }

  #bind() {
    this.resolveButton.addEventListener("click", () => this.#change("resolve"));
    this.reopenButton.addEventListener("click", () => this.#change("reopen"));
    this.snoozeButton.addEventListener("click", () => (this.menu.hidden ? this.#openMenu() : this.#closeMenu()));
    this.customForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const until = new Date(this.customInput.value);
      if (Number.isNaN(until.getTime())) return;
      this.#snooze(until);
    });
    this.menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.#closeMenu();
    });
    document.addEventListener("pointerdown", (event) => {
      if (!this.menu.hidden && !this.menu.parentElement.contains(event.target)) this.#closeMenu(false);
    });
  }

  #openMenu() {
    const choices = snoozeChoices();
    this.choiceList.replaceChildren(...choices.map(({ label, until }) => {
      const button = el("button", { className: "snooze-menu__choice", attrs: { type: "button" } },
        el("span", { text: label }), el("span", { className: "snooze-menu__when", text: formatWhen(until.toISOString()) }));
      button.addEventListener("click", () => this.#snooze(until));
      return button;
    }));
    const now = new Date();
    this.customInput.min = localInputValue(now);
    this.customInput.max = localInputValue(new Date(now.getTime() + 90 * 24 * 60 * 60 * 1000));
    this.customInput.value = localInputValue(choices[1].until);
    this.menu.hidden = false;
    this.snoozeButton.setAttribute("aria-expanded", "true");
    this.choiceList.firstChild.focus();
  }

  #closeMenu(returnFocus = true) {
    if (this.menu.hidden) return;
    this.menu.hidden = true;
    this.snoozeButton.setAttribute("aria-expanded", "false");
    if (returnFocus) this.snoozeButton.focus();
  }

  #snooze(until) {
    this.#closeMenu();
    this.#change("snooze", { until: until.toISOString() });
  }

  async #change(event, extra = {}) {
    const id = this.summary?.id;
    if (id === undefined || this.busy) return;
    const hadFocus = this.#buttons().includes(document.activeElement);
    this.busy = true;
    const ack = await this.connection.request(event, { conversation_id: id, ...extra });
    this.busy = false;
    if (ack.ok) this.onChanged(ack.conversation, ack.activity);
    else this.onError(ack.error?.code === "timeout" ? t("error.offline_retry")
      : t(`lifecycle.failed.${event}`, { reason: ack.error?.message || t("error.unknown") }));
    this.#render();
    // The button pressed may be gone (Resolve becomes Reopen): keep the focus nearby.
    if (hadFocus && !this.#buttons().includes(document.activeElement)) this.#buttons().find((b) => !b.hidden)?.focus();
  }

  #buttons() {
    return [this.resolveButton, this.reopenButton, this.snoozeButton];
  }
}
