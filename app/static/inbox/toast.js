// A short status line at the bottom of the inbox ("Conversation deleted"),
// read out by screen readers, that goes away by itself.

const SHOW_MS = 5000;

export class Toast {
  /** @param {HTMLElement} element a role="status" element */
  constructor(element) {
    this.element = element;
    this.timer = null;
  }

  /** @param {string} text */
  show(text) {
    clearTimeout(this.timer);
    this.element.textContent = text;
    this.element.hidden = false;
    this.timer = setTimeout(() => this.hide(), SHOW_MS);
  }

  hide() {
    clearTimeout(this.timer);
    this.element.hidden = true;
    this.element.textContent = "";
  }
}
