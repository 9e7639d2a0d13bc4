// The optional pre-chat form: the visitor's name and email, asked before
// the first message when admins chose so (Settings). The answers name the
// visitor in the inbox; they are kept in this browser, so they are asked once.

import { el } from "../common/dom.js";
import { onLocaleChange, t } from "../common/i18n.js";

const LABELS = { name: "prechat.name", email: "prechat.email" };
const REQUIRED = { name: "prechat.name_required", email: "prechat.email_required" };
const AUTOCOMPLETE = { name: "name", email: "email" };
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export class PrechatForm {
  /**
   * @param {object} view the widget's view (its composer form is hidden while this shows)
   * @param {{load: () => object|null, save: (answers: object) => void}} store
   */
  constructor(view, store) {
    this.view = view;
    this.store = store;
    this.answers = store.load();
    this.inputs = {};
    this.error = el("p", { className: "lc-prechat__error", attrs: { role: "alert" } });
    this.error.hidden = true;
    /** @type {string|null} the key of what is wrong */
    this.problemKey = null;
    onLocaleChange(() => {
      if (this.problemKey) this.error.textContent = t(this.problemKey);
    });
    this.submit = view.say(el("button", { className: "lc-button lc-button--primary", attrs: { type: "submit" } }),
      "prechat.start");
    this.fields = el("div", { className: "lc-prechat__fields" });
    this.root = el("form", { className: "lc-prechat", attrs: { "aria-labelledby": "lc-prechat-title", novalidate: "" } },
      view.say(el("p", { className: "lc-prechat__title", attrs: { id: "lc-prechat-title" } }), "prechat.title"),
      view.say(el("p", { className: "lc-prechat__text" }), "prechat.text"),
      this.fields, this.error, this.submit);
    this.root.hidden = true;
    this.root.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#finish();
    });
    view.form.before(this.root);
  }

  /** @returns {boolean} whether the form is on screen */
  get visible() {
    return !this.root.hidden;
  }

  /** The first field, to focus when the panel opens. */
  get firstControl() {
    return this.fields.querySelector("input") || this.submit;
  }

  /**
   * Show the form if admins ask anything and this browser has not answered yet.
   * @param {{name: string, email: string}} asked each "off", "optional" or "required"
   */
  offer(asked) {
    const fields = Object.keys(LABELS).filter((field) => asked?.[field] === "optional" || asked?.[field] === "required");
    if (!fields.length || this.answers) return;
    this.fields.replaceChildren(...fields.map((field) => this.#field(field, asked[field] === "required")));
    this.root.hidden = false;
    this.view.form.hidden = true;
  }

  /** Put the composer back without asking (a conversation exists already). */
  hide() {
    this.root.hidden = true;
    if (!this.view.isEnded) this.view.form.hidden = false;
  }

  /** @returns {{name?: string, email?: string}} what the visitor answered */
  details() {
    return this.answers || {};
  }

  #field(field, required) {
    const input = el("input", {
      className: "lc-input lc-prechat__input",
      attrs: {
        id: `lc-prechat-${field}`, name: field, type: field === "email" ? "email" : "text",
        autocomplete: AUTOCOMPLETE[field], maxlength: field === "email" ? "254" : "100",
        ...(required ? { required: "", "aria-required": "true" } : {}),
      },
    });
    this.inputs[field] = input;
    const optional = required ? null : this.view.say(el("span", { className: "lc-prechat__optional" }),
      () => ` ${t("prechat.optional")}`);
    const label = el("label", { className: "lc-prechat__label", attrs: { for: input.id } },
      this.view.say(el("span"), LABELS[field]), optional);
    return el("div", { className: "lc-prechat__field" }, label, input);
  }

  #finish() {
    const answers = {};
    for (const [field, input] of Object.entries(this.inputs)) {
      const value = input.value.trim();
      input.setAttribute("aria-invalid", "false");
      if (value) answers[field] = value;
    }
    const problem = this.#problem(answers);
    if (problem) {
      this.problemKey = problem.key;
      this.error.textContent = t(problem.key);
      this.error.hidden = false;
      problem.input.setAttribute("aria-invalid", "true");
      problem.input.focus();
      return;
    }
    this.error.hidden = true;
    this.problemKey = null;
    this.answers = answers;
    this.store.save(answers);
    this.hide();
    this.view.textarea.focus();
  }

  #problem(answers) {
    for (const [field, input] of Object.entries(this.inputs)) {
      if (input.required && !answers[field]) return { input, key: REQUIRED[field] };
    }
    if (answers.email && !EMAIL.test(answers.email)) {
      return { input: this.inputs.email, key: "prechat.email_invalid" };
    }
    return null;
  }
}
