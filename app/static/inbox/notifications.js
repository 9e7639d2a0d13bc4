// Telling the agent about new visitor messages they are not looking at:
// desktop notifications (after they opt in with a button), a beep, and the
// unread total in the tab title.

import { beep, TitleNotice, unlockSound } from "../common/attention.js";

const supported = "Notification" in window;

export class InboxAlerts {
  /**
   * @param {HTMLButtonElement} button the "Enable notifications" button
   */
  constructor(button) {
    this.button = button;
    this.title = new TitleNotice((count, base) => `(${count}) ${base}`);
    this.#updateButton();
    button.addEventListener("click", () => this.#askPermission());
    // Sound is allowed only after the agent has interacted with the page.
    document.addEventListener("pointerdown", unlockSound, { once: true });
    document.addEventListener("keydown", unlockSound, { once: true });
  }

  /**
   * A new message from a visitor the agent is not looking at.
   * @param {{title: string, body: string, tag: string, onClick: () => void}} alert
   */
  notify({ title, body, tag, onClick }) {
    beep();
    if (!supported || Notification.permission !== "granted") return;
    const notification = new Notification(title, { body, tag });
    notification.addEventListener("click", () => {
      window.focus();
      onClick();
      notification.close();
    });
  }

  /** @param {number} count unread messages over all conversations */
  setUnreadTotal(count) {
    this.title.set(count);
  }

  async #askPermission() {
    if (!supported) return;
    await Notification.requestPermission();
    this.#updateButton();
  }

  #updateButton() {
    this.button.hidden = !supported || Notification.permission !== "default";
  }
}
