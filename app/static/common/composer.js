// The message composer: a textarea that grows with its text, Enter sends,
// Shift+Enter starts a new line, and typing state is reported as you type.
// Send is offered only for a body the server accepts (see bodies.js).

import { bodyLength, isBlank, MAX_BODY_CHARS, trimBody } from "./bodies.js";
import { t } from "./i18n.js";

const MAX_HEIGHT_PX = 160;

/**
 * Wire a composer form.
 * @param {object} options
 * @param {HTMLFormElement} options.form
 * @param {HTMLTextAreaElement} options.textarea
 * @param {HTMLButtonElement} options.sendButton
 * @param {HTMLElement} options.limitNotice shown while the text is too long
 * @param {number} [options.maxChars] the server's CHAT_MAX_BODY_CHARS
 * @param {(text: string) => void} options.onSend called with the trimmed text
 * @param {{input: () => void, stop: () => void}} [options.typing]
 * @returns {{focus: () => void, clear: () => void, setEnabled: (enabled: boolean) => void}}
 */
export function attachComposer({ form, textarea, sendButton, limitNotice, maxChars = MAX_BODY_CHARS, onSend, typing }) {
  let enabled = true;

  const resize = () => {
    textarea.style.height = "auto";
    textarea.style.height = `${Math.min(textarea.scrollHeight, MAX_HEIGHT_PX)}px`;
  };
  /** @returns {string|null} the text to send, or null when there is none the server would take */
  const sendable = () => {
    const text = trimBody(textarea.value);
    const length = bodyLength(text);
    const tooLong = length > maxChars;
    limitNotice.hidden = !tooLong;
    limitNotice.textContent = tooLong
      ? t("composer.too_long", { length, max: maxChars }) : "";
    if (tooLong) textarea.setAttribute("aria-invalid", "true");
    else textarea.removeAttribute("aria-invalid");
    const ok = enabled && !tooLong && !isBlank(text);
    sendButton.disabled = !ok;
    return ok ? text : null;
  };
  const clear = () => {
    textarea.value = "";
    resize();
    sendable();
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = sendable();
    if (text === null) return;
    typing?.stop();
    onSend(text);
    clear();
    textarea.focus();
  });

  textarea.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    form.requestSubmit();
  });

  textarea.addEventListener("input", () => {
    resize();
    sendable();
    if (isBlank(textarea.value)) typing?.stop();
    else typing?.input();
  });

  textarea.addEventListener("blur", () => typing?.stop());
  sendable();

  return {
    focus: () => textarea.focus(),
    clear,
    /** @param {boolean} value false: nothing can be written or sent (the chat ended) */
    setEnabled: (value) => {
      enabled = value;
      textarea.disabled = !value;
      if (!value) typing?.stop();
      sendable();
    },
  };
}
