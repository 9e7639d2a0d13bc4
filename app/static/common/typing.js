// Typing state: telling the other side (throttled) and showing theirs.

import { t } from "./i18n.js";

/**
 * Sends this side's typing state: `true` at most once per `throttleMs` while
 * keys are pressed, `false` after `idleMs` without input or on stop().
 */
export class TypingSender {
  /**
   * @param {(isTyping: boolean) => void} send
   * @param {{throttleMs?: number, idleMs?: number}} [options]
   */
  constructor(send, { throttleMs = 2000, idleMs = 3000 } = {}) {
    this.send = send;
    this.throttleMs = throttleMs;
    this.idleMs = idleMs;
    this.typing = false;
    this.lastSentAt = 0;
    this.idleTimer = null;
  }

  /** Call on every input in the composer. */
  input() {
    const now = Date.now();
    if (!this.typing || now - this.lastSentAt >= this.throttleMs) {
      this.typing = true;
      this.lastSentAt = now;
      this.send(true);
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stop(), this.idleMs);
  }

  /** Call on send, on blur, or when the conversation goes away. */
  stop() {
    clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (!this.typing) return;
    this.typing = false;
    this.lastSentAt = 0;
    this.send(false);
  }
}

/**
 * Shows "<name> is typing…" in an element, hiding it on request or after
 * `timeoutMs` without a refresh (in case the "stopped" event is lost).
 */
export class TypingIndicator {
  /**
   * @param {HTMLElement} element
   * @param {{timeoutMs?: number}} [options]
   */
  constructor(element, { timeoutMs = 8000 } = {}) {
    this.element = element;
    this.timeoutMs = timeoutMs;
    this.timer = null;
    this.hide();
  }

  /**
   * @param {string} name who is typing
   */
  show(name) {
    const text = t("typing.named", { name: name || t("typing.someone") });
    // Refreshes arrive every few seconds: rewriting the same text would make
    // a screen reader repeat it each time.
    if (this.element.textContent !== text) this.element.textContent = text;
    this.element.hidden = false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.hide(), this.timeoutMs);
  }

  hide() {
    clearTimeout(this.timer);
    this.timer = null;
    this.element.hidden = true;
    this.element.textContent = "";
  }
}
