// What the admin pages' dialogs share: closing, errors, busy buttons, and
// generated passwords.

import { t } from "../common/i18n.js";

const PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const GENERATED_LENGTH = 16;

/** A password of 16 characters from the browser's secure random source. */
export function generatePassword() {
  const bytes = crypto.getRandomValues(new Uint32Array(GENERATED_LENGTH));
  return Array.from(bytes, (n) => PASSWORD_ALPHABET[n % PASSWORD_ALPHABET.length]).join("");
}

/**
 * Wire a dialog's [data-close] buttons, backdrop click, [data-generate]
 * and [data-copy] buttons; Escape and closing are refused while it is busy.
 * @param {HTMLDialogElement} dialog
 */
export function wireDialog(dialog) {
  for (const button of dialog.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => dialog.close());
  }
  dialog.addEventListener("cancel", (event) => {
    if (dialog.dataset.busy) event.preventDefault();
  });
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog && !dialog.dataset.busy && outsideBox(dialog, event)) dialog.close();
  });
  for (const button of dialog.querySelectorAll("[data-generate]")) {
    button.addEventListener("click", () => {
      const input = document.getElementById(button.dataset.generate);
      input.value = generatePassword();
      input.focus();
      input.select();
    });
  }
  for (const button of dialog.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", () => copyText(button, document.getElementById(button.dataset.copy).textContent));
  }
}

async function copyText(button, text) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = t("admin.copied");
  } catch {
    button.textContent = t("admin.copy_by_hand");
  }
}

/**
 * Show (or, with "", hide) the dialog's error line.
 * @param {HTMLDialogElement} dialog
 * @param {string} text
 */
export function showDialogError(dialog, text) {
  const line = dialog.querySelector(".confirm-dialog__error");
  line.textContent = text;
  line.hidden = !text;
}

/**
 * Mark the dialog busy (a request runs): its buttons are disabled.
 * @param {HTMLDialogElement} dialog
 * @param {boolean} busy
 */
export function setBusy(dialog, busy) {
  if (busy) dialog.dataset.busy = "1";
  else delete dialog.dataset.busy;
  for (const button of dialog.querySelectorAll("button")) button.disabled = busy;
}

function outsideBox(element, { clientX, clientY }) {
  const box = element.getBoundingClientRect();
  return clientX < box.left || clientX > box.right || clientY < box.top || clientY > box.bottom;
}
