// "/shortcut" in the reply box: typing "/" at the start of the text or after
// white space lists the canned responses whose shortcut matches what follows,
// filtered as you type. Up and Down move, Enter or Tab puts the response's
// text in place of "/shortcut", Escape closes; a click works too.
//
// The textarea keeps focus throughout and points at the highlighted option
// with aria-activedescendant (the listbox half of the ARIA combobox
// pattern). A textarea may not take role="combobox" or aria-expanded, so a
// live region says when suggestions appear instead.

import { t } from "../common/i18n.js";
import { el } from "../common/dom.js";

/** "/" after the start or white space, then what is typed of a shortcut, up to the caret. */
const TRIGGER = /(?:^|\s)\/([a-z0-9_-]{0,32})$/i;
const MAX_SHOWN = 8;

export class CannedSuggestions {
  /**
   * @param {object} options
   * @param {HTMLTextAreaElement} options.textarea the reply box, inside its form
   * @param {import("./canned.js").CannedStore} options.store
   */
  constructor({ textarea, store }) {
    this.textarea = textarea;
    this.store = store;
    this.matches = [];
    this.active = 0;
    this.range = null;
    this.inserting = false;
    this.listbox = el("ul", {
      className: "canned-suggest",
      attrs: { id: "canned-suggest", role: "listbox", "aria-label": t("canned.title") },
    });
    this.listbox.hidden = true;
    this.status = el("p", { className: "sr-only", attrs: { "aria-live": "polite" } });
    textarea.form.classList.add("composer--canned");
    textarea.form.append(this.listbox, this.status);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", this.listbox.id);
    this.#bind();
  }

  get isOpen() {
    return !this.listbox.hidden;
  }

  #bind() {
    const { textarea, listbox } = this;
    textarea.addEventListener("input", () => this.#update());
    textarea.addEventListener("click", () => this.#update());
    textarea.addEventListener("keyup", (event) => {
      if (["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) this.#update();
    });
    textarea.addEventListener("focus", () => this.store.refreshIfStale());
    textarea.addEventListener("blur", () => this.close());
    // On the form, in the capture phase: before the composer's own Enter-sends.
    textarea.form.addEventListener("keydown", (event) => this.#onKey(event), true);
    // Keep focus in the reply box when an option is clicked.
    listbox.addEventListener("pointerdown", (event) => event.preventDefault());
    listbox.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) this.#insert(Number(option.dataset.index));
    });
    this.store.subscribe(() => {
      if (this.isOpen || document.activeElement === textarea) this.#update();
    });
  }

  close() {
    if (!this.isOpen) return;
    this.listbox.hidden = true;
    this.listbox.replaceChildren();
    this.matches = [];
    this.range = null;
    this.textarea.removeAttribute("aria-activedescendant");
    this.status.textContent = "";
  }

  /** Show the responses that match what is typed after "/" at the caret, if any. */
  #update() {
    if (this.inserting) return;
    const { textarea } = this;
    const caret = textarea.selectionStart;
    const match = caret === textarea.selectionEnd ? TRIGGER.exec(textarea.value.slice(0, caret)) : null;
    if (!match) {
      this.close();
      return;
    }
    this.store.refreshIfStale();
    const matches = this.store.matching(match[1].toLowerCase()).slice(0, MAX_SHOWN);
    if (!matches.length) {
      this.close();
      return;
    }
    const activeId = this.matches[this.active]?.id;
    const wasOpen = this.isOpen;
    this.range = { start: caret - match[1].length - 1, end: caret };
    this.matches = matches;
    this.active = Math.max(0, matches.findIndex((item) => item.id === activeId));
    this.#render();
    if (!wasOpen || this.status.dataset.count !== String(matches.length)) this.#announce();
  }

  #render() {
    const options = this.matches.map((item, index) => el("li", {
      className: "canned-suggest__option",
      attrs: { id: `canned-option-${item.id}`, role: "option", "aria-selected": String(index === this.active), "data-index": String(index) },
    },
    el("span", { className: "canned-suggest__shortcut", text: `/${item.shortcut}` }),
    el("span", { className: "canned-suggest__body", text: item.body })));
    this.listbox.replaceChildren(...options);
    this.listbox.hidden = false;
    this.#showActive();
  }

  #showActive() {
    const options = [...this.listbox.children];
    options.forEach((option, index) => option.setAttribute("aria-selected", String(index === this.active)));
    const option = options[this.active];
    this.textarea.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  #announce() {
    const count = this.matches.length;
    this.status.dataset.count = String(count);
    this.status.textContent =
      `${count} canned response${count === 1 ? "" : "s"}. Up and down to choose, Enter to insert, Escape to close.`;
  }

  #onKey(event) {
    if (!this.isOpen || event.isComposing || event.target !== this.textarea) return;
    const plain = !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + this.matches.length) % this.matches.length;
      this.#showActive();
    } else if ((event.key === "Enter" || event.key === "Tab") && plain) {
      this.#insert(this.active);
    } else if (event.key === "Escape") {
      this.close();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  /** Put the response's text in place of "/shortcut", as one undoable edit. */
  #insert(index) {
    const item = this.matches[index];
    if (!item || !this.range) return;
    const { textarea } = this;
    const { start, end } = this.range;
    this.close();
    // The text changed under the list (another conversation opened): leave it be.
    if (!TRIGGER.test(textarea.value.slice(0, end)) || textarea.value[start] !== "/") return;
    this.inserting = true;
    try {
      textarea.focus();
      textarea.setSelectionRange(start, end);
      // insertText keeps the browser's undo history; setRangeText is the fallback.
      if (!document.execCommand("insertText", false, item.body)) {
        textarea.setRangeText(item.body, start, end, "end");
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
    } finally {
      this.inserting = false;
    }
    this.status.textContent = t("canned.inserted", { shortcut: `/${item.shortcut}` });
  }
}
