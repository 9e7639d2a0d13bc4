// The "Canned responses" dialog: the desk's list of responses, a form to add
// one or edit one, and deleting after an inline confirmation. The store
// (canned.js) talks to the server; this module only shows and asks.

import { t } from "../common/i18n.js";
import { bodyLength, isBlank, trimBody } from "../common/bodies.js";
import { el } from "../common/dom.js";

const SHORTCUT = /^\/?[a-z0-9_-]{1,32}$/i;

/** The dialog's fixed parts; rows are built by #render. */
function buildDialog() {
  const part = {};
  part.closeButton = el("button", {
    className: "button button--quiet button--icon",
    attrs: { type: "button", "aria-label": t("dialog.close"), title: t("dialog.close_hint") },
  }, el("span", { text: "×", attrs: { "aria-hidden": "true" } }));
  part.list = el("ul", { className: "canned-list", attrs: { "aria-labelledby": "canned-dialog-title" } });
  part.empty = el("p", { className: "canned-list__empty", text: t("canned.empty") });
  part.formTitle = el("h3", { className: "canned-form__title", text: t("canned.add_title"), attrs: { id: "canned-form-title" } });
  part.shortcut = el("input", {
    className: "canned-form__input",
    attrs: {
      id: "canned-shortcut", name: "shortcut", autocomplete: "off", spellcheck: "false",
      maxlength: "33", "aria-describedby": "canned-shortcut-hint", placeholder: "hello",
    },
  });
  part.body = el("textarea", {
    className: "canned-form__input canned-form__body",
    attrs: { id: "canned-body", name: "body", rows: "4", placeholder: t("canned.body_placeholder") },
  });
  part.error = el("p", { className: "canned-form__error", attrs: { role: "alert" } });
  part.error.hidden = true;
  part.cancelEdit = el("button", { className: "button button--quiet", attrs: { type: "button" }, text: t("canned.cancel") });
  part.cancelEdit.hidden = true;
  part.save = el("button", { className: "button button--primary", attrs: { type: "submit" }, text: t("canned.add") });
  part.form = el("form", { className: "canned-form", attrs: { "aria-labelledby": "canned-form-title", novalidate: "" } },
    part.formTitle,
    el("div", { className: "canned-form__fields" },
      el("div", { className: "canned-form__field canned-form__field--shortcut" },
        el("label", { className: "canned-form__label", text: t("canned.shortcut"), attrs: { for: "canned-shortcut" } }),
        el("div", { className: "canned-form__slash" }, el("span", { text: "/", attrs: { "aria-hidden": "true" } }), part.shortcut),
        el("p", { className: "canned-form__hint", text: t("canned.shortcut_hint"), attrs: { id: "canned-shortcut-hint" } })),
      el("div", { className: "canned-form__field canned-form__field--body" },
        el("label", { className: "canned-form__label", text: t("canned.text"), attrs: { for: "canned-body" } }),
        part.body)),
    part.error,
    el("div", { className: "canned-form__buttons" }, part.cancelEdit, part.save));
  part.status = el("p", { className: "sr-only", attrs: { "aria-live": "polite" } });
  part.dialog = el("dialog", { className: "canned-dialog", attrs: { "aria-labelledby": "canned-dialog-title" } },
    el("header", { className: "canned-dialog__header" },
      el("h2", { className: "canned-dialog__title", text: t("canned.title"), attrs: { id: "canned-dialog-title" } }),
      part.closeButton),
    el("p", { className: "canned-dialog__hint", text: t("canned.hint") }),
    el("div", { className: "canned-dialog__scroll" }, part.list, part.empty),
    part.form,
    part.status);
  return part;
}

export class CannedDialog {
  /**
   * @param {object} options
   * @param {import("./canned.js").CannedStore} options.store
   * @param {number} options.maxChars the server's CHAT_MAX_BODY_CHARS
   */
  constructor({ store, maxChars }) {
    this.store = store;
    this.maxChars = maxChars;
    this.part = buildDialog();
    this.editing = null;
    this.confirming = null;
    this.busy = false;
    this.opener = null;
    document.body.append(this.part.dialog);
    this.#bind();
    store.subscribe(() => this.#render());
  }

  open() {
    this.opener = document.activeElement;
    this.#render();
    this.part.dialog.showModal();
    this.part.shortcut.focus();
    this.store.load();
  }

  #bind() {
    const { part } = this;
    part.closeButton.addEventListener("click", () => part.dialog.close());
    // Escape while a deletion is asked about answers "no" rather than closing.
    part.dialog.addEventListener("cancel", (event) => {
      if (this.confirming === null) return;
      event.preventDefault();
      this.#setConfirming(null, `delete-${this.confirming}`);
    });
    part.dialog.addEventListener("close", () => {
      this.confirming = null;
      this.opener?.focus?.();
    });
    part.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#save();
    });
    part.cancelEdit.addEventListener("click", () => this.#resetForm({ focus: true }));
    part.list.addEventListener("click", (event) => this.#onListClick(event));
  }

  #onListClick(event) {
    const button = event.target.closest("button[data-action]");
    if (!button || this.busy) return;
    const id = Number(button.closest("[data-id]").dataset.id);
    const item = this.store.items.find((candidate) => candidate.id === id);
    if (!item) return;
    const action = button.dataset.action;
    if (action === "edit") this.#edit(item);
    if (action === "delete") this.#setConfirming(id, `cancel-${id}`);
    if (action === "cancel") this.#setConfirming(null, `delete-${id}`);
    if (action === "confirm") this.#delete(item);
  }

  #render() {
    const { part } = this;
    const focusKey = part.list.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
    const rows = this.store.items.map((item) => this.#row(item));
    part.list.replaceChildren(...rows);
    part.list.hidden = rows.length === 0;
    part.empty.hidden = rows.length > 0 || !this.store.loaded;
    if (focusKey) part.list.querySelector(`[data-focus-key="${focusKey}"]`)?.focus();
  }

  #row(item) {
    const shortcut = `/${item.shortcut}`;
    const hidden = (text) => el("span", { className: "sr-only", text });
    const button = (action, label, className, extra) => el("button", {
      className: `button button--small ${className}`,
      attrs: { type: "button", "data-action": action, "data-focus-key": `${action}-${item.id}` },
    }, label, extra);
    const actions = this.confirming === item.id
      ? el("div", { className: "canned-row__actions canned-row__actions--confirm" },
        el("span", { className: "canned-row__question", text: t("canned.delete_question", { shortcut }) }),
        button("cancel", t("canned.cancel"), "button--quiet"),
        button("confirm", t("canned.delete"), "button--danger-solid", hidden(` ${shortcut}`)))
      : el("div", { className: "canned-row__actions" },
        button("edit", t("canned.edit"), "button--quiet", hidden(` ${shortcut}`)),
        button("delete", t("canned.delete"), "button--quiet button--danger", hidden(` ${shortcut}`)));
    return el("li", { className: "canned-row", attrs: { "data-id": String(item.id) } },
      el("div", { className: "canned-row__text" },
        el("span", { className: "canned-row__shortcut", text: shortcut }),
        el("p", { className: "canned-row__body", text: item.body })),
      actions);
  }

  #edit(item) {
    const { part } = this;
    this.editing = item.id;
    this.#showError("");
    part.formTitle.textContent = t("canned.edit_title", { shortcut: `/${item.shortcut}` });
    part.shortcut.value = item.shortcut;
    part.body.value = item.body;
    part.save.textContent = t("canned.save");
    part.cancelEdit.hidden = false;
    part.body.focus();
  }

  #resetForm({ focus = false } = {}) {
    const { part } = this;
    const wasEditing = this.editing;
    this.editing = null;
    this.#showError("");
    part.form.reset();
    part.formTitle.textContent = t("canned.add_title");
    part.save.textContent = t("canned.add");
    part.cancelEdit.hidden = true;
    if (!focus) return;
    const row = part.list.querySelector(`[data-focus-key="edit-${wasEditing}"]`);
    (row || part.shortcut).focus();
  }

  /**
   * Ask whether to delete a response, or stop asking.
   * @param {number|null} id
   * @param {string} focusKey the button to focus afterwards
   */
  #setConfirming(id, focusKey) {
    this.confirming = id;
    this.#render();
    this.part.list.querySelector(`[data-focus-key="${focusKey}"]`)?.focus();
  }

  async #delete(item) {
    const rows = this.store.items;
    const next = rows[rows.indexOf(item) + 1] || rows[rows.indexOf(item) - 1];
    this.busy = true;
    try {
      await this.store.remove(item.id);
    } catch (error) {
      this.part.status.textContent = t("canned.delete_failed", { shortcut: `/${item.shortcut}`, reason: error.message });
      return;
    } finally {
      this.busy = false;
    }
    this.confirming = null;
    if (this.editing === item.id) this.#resetForm();
    this.#render();
    this.part.status.textContent = t("canned.deleted", { shortcut: `/${item.shortcut}` });
    const focusTarget = next && this.part.list.querySelector(`[data-focus-key="edit-${next.id}"]`);
    (focusTarget || this.part.shortcut).focus();
  }

  /** @returns {{shortcut: string, body: string}|null} what to send, or null after showing why not */
  #validated() {
    const { part } = this;
    const shortcut = part.shortcut.value.trim();
    const body = trimBody(part.body.value);
    if (!SHORTCUT.test(shortcut)) {
      this.#showError(t("canned.bad_shortcut"), part.shortcut);
      return null;
    }
    if (isBlank(body)) {
      this.#showError(t("canned.no_text"), part.body);
      return null;
    }
    if (bodyLength(body) > this.maxChars) {
      this.#showError(t("composer.too_long", { length: bodyLength(body), max: this.maxChars }), part.body);
      return null;
    }
    return { shortcut, body };
  }

  async #save() {
    if (this.busy) return;
    const values = this.#validated();
    if (!values) return;
    const editing = this.editing;
    this.#setBusy(true);
    try {
      if (editing === null) await this.store.create(values.shortcut, values.body);
      else await this.store.update(editing, values.shortcut, values.body);
    } catch (error) {
      this.#setBusy(false);
      const field = error.status === 409 || /shortcut/.test(error.message) ? this.part.shortcut : this.part.body;
      this.#showError(error.message, field);
      return;
    }
    this.#setBusy(false);
    const shortcut = `/${values.shortcut.replace(/^\//, "").toLowerCase()}`;
    this.part.status.textContent = t(editing === null ? "canned.added" : "canned.saved", { shortcut });
    this.#resetForm({ focus: editing !== null });
    if (editing === null) this.part.shortcut.focus();
  }

  #setBusy(busy) {
    this.busy = busy;
    this.part.save.disabled = busy;
  }

  /**
   * @param {string} text empty to clear
   * @param {HTMLElement} [field] the field at fault: marked invalid and focused
   */
  #showError(text, field) {
    const { part } = this;
    part.error.textContent = text ? text.charAt(0).toUpperCase() + text.slice(1) : "";
    part.error.hidden = !text;
    for (const input of [part.shortcut, part.body]) {
      if (input === field) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
    field?.focus();
  }
}
