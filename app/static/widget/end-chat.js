// Ending the chat from the widget: the options menu in the panel header,
// the confirmation that asks before ending, and keyboard handling for both
// (arrow keys and Escape in the menu; Escape and a Tab loop in the
// confirmation). What ending does is up to the caller.

import { t } from "../common/i18n.js";

export class EndChatControls {
  /**
   * @param {object} view the widget view (see view.js)
   * @param {object} options
   * @param {() => Promise<void>} options.onConfirm ends the chat; rejects with an Error to show
   */
  constructor(view, { onConfirm }) {
    this.view = view;
    this.onConfirm = onConfirm;
    this.busy = false;
    this.#bind();
  }

  /** @returns {boolean} whether the menu or the confirmation is showing */
  get isOpen() {
    return !this.view.menu.hidden || !this.view.confirm.hidden;
  }

  /** Close the menu and the confirmation (e.g. when the panel closes). */
  reset() {
    this.#closeMenu({ restoreFocus: false });
    this.#closeConfirm({ restoreFocus: false });
  }

  #bind() {
    const { view } = this;
    view.menuButton.addEventListener("click", () => {
      if (view.menu.hidden) this.#openMenu();
      else this.#closeMenu();
    });
    view.menuButton.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      event.preventDefault();
      this.#openMenu();
    });
    view.menu.addEventListener("keydown", (event) => this.#onMenuKey(event));
    view.menu.addEventListener("focusout", (event) => {
      if (!view.menu.contains(event.relatedTarget) && event.relatedTarget !== view.menuButton) {
        this.#closeMenu({ restoreFocus: false });
      }
    });
    view.endChatItem.addEventListener("click", () => {
      this.#closeMenu({ restoreFocus: false });
      this.#openConfirm();
    });
    // A click anywhere else in the panel closes the menu.
    view.panel.addEventListener("pointerdown", (event) => {
      const path = event.composedPath();
      if (!view.menu.hidden && !path.includes(view.menu) && !path.includes(view.menuButton)) {
        this.#closeMenu({ restoreFocus: false });
      }
    });
    view.confirmCancel.addEventListener("click", () => this.#closeConfirm());
    view.confirmEnd.addEventListener("click", () => this.#end());
    view.confirm.addEventListener("keydown", (event) => this.#onConfirmKey(event));
    view.confirm.addEventListener("pointerdown", (event) => {
      // The shaded area around the card cancels, like a click outside a dialog.
      if (event.target === view.confirm && !this.busy) this.#closeConfirm();
    });
  }

  #openMenu() {
    const { view } = this;
    view.menu.hidden = false;
    view.menuButton.setAttribute("aria-expanded", "true");
    (view.menu.querySelector("[role=menuitem]:not([hidden])") ?? view.endChatItem).focus();
  }

  #closeMenu({ restoreFocus = true } = {}) {
    const { view } = this;
    if (view.menu.hidden) return;
    view.menu.hidden = true;
    view.menuButton.setAttribute("aria-expanded", "false");
    if (restoreFocus) view.menuButton.focus();
  }

  #onMenuKey(event) {
    const items = [...this.view.menu.querySelectorAll("[role=menuitem]")].filter((item) => !item.hidden);
    const index = items.indexOf(this.view.root.getRootNode().activeElement);
    if (event.key === "Escape") {
      // Close the menu only, not the whole panel.
      event.stopPropagation();
      this.#closeMenu();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      items[(index + step + items.length) % items.length]?.focus();
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      items[event.key === "Home" ? 0 : items.length - 1]?.focus();
    } else if (event.key === "Tab") {
      this.#closeMenu({ restoreFocus: false });
    }
  }

  #openConfirm() {
    const { view } = this;
    this.#showError("");
    this.#setBusy(false);
    view.confirm.hidden = false;
    view.confirmCancel.focus();
  }

  #closeConfirm({ restoreFocus = true } = {}) {
    const { view } = this;
    if (view.confirm.hidden) return;
    view.confirm.hidden = true;
    if (restoreFocus && !view.menuButton.hidden) view.menuButton.focus();
  }

  #onConfirmKey(event) {
    const { view } = this;
    if (event.key === "Escape") {
      event.stopPropagation();
      if (!this.busy) this.#closeConfirm();
      return;
    }
    if (event.key !== "Tab") return;
    // Keep focus inside the confirmation while it is open.
    const buttons = [view.confirmCancel, view.confirmEnd].filter((button) => !button.disabled);
    if (!buttons.length) {
      event.preventDefault();
      return;
    }
    const active = view.root.getRootNode().activeElement;
    const first = buttons[0];
    const last = buttons[buttons.length - 1];
    if (event.shiftKey && (active === first || !buttons.includes(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !buttons.includes(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  async #end() {
    if (this.busy) return;
    this.#setBusy(true);
    try {
      await this.onConfirm();
    } catch (error) {
      this.#setBusy(false);
      this.#showError(error.message || t("end.failed"));
      this.view.confirmEnd.focus();
      return;
    }
    this.#setBusy(false);
    this.#closeConfirm({ restoreFocus: false });
  }

  #setBusy(busy) {
    const { view } = this;
    this.busy = busy;
    view.confirmEnd.disabled = busy;
    view.confirmCancel.disabled = busy;
    view.confirmEnd.textContent = t(busy ? "end.ending" : "end.confirm");
  }

  #showError(text) {
    this.view.confirmError.textContent = text;
    this.view.confirmError.hidden = !text;
  }
}
