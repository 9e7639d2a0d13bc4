// An admin's actions on a signed contact's data, in the visitor panel: a
// download of everything the desk holds of the person, and erasing all of
// it (every conversation, note, rating and file) after a confirmation.

import { el } from "../common/dom.js";
import { t } from "../common/i18n.js";

const isAdmin = () => Boolean(document.getElementById("admin-link"));
const csrfToken = () => document.querySelector('input[name="csrf_token"]')?.value || "";

/**
 * The contact's data actions, for admins; null for anyone else or no contact.
 * @param {{id: number, name: string|null, user_id: string}|null} contact
 * @returns {HTMLElement|null}
 */
export function contactDataActions(contact) {
  if (!contact || !isAdmin()) return null;
  const path = `/api/v1/admin/contacts/${encodeURIComponent(contact.id)}`;
  const download = el("a", {
    className: "button button--quiet button--small",
    text: t("contact.export"),
    attrs: { href: `${path}/export`, download: `contact-${contact.id}.zip` },
  });
  const erase = el("button", {
    className: "button button--danger button--small",
    text: t("contact.erase"),
    attrs: { type: "button" },
  });
  erase.addEventListener("click", () => confirmErase(contact, path, erase));
  return el("div", { className: "details__actions" }, download, erase);
}

function confirmErase(contact, path, opener) {
  const error = el("p", { className: "confirm-dialog__error", attrs: { role: "alert" } });
  error.hidden = true;
  const cancel = el("button", { className: "button button--quiet", text: t("contact.cancel"), attrs: { type: "button" } });
  const confirm = el("button", {
    className: "button button--danger-solid", text: t("contact.erase_confirm"), attrs: { type: "button" },
  });
  const dialog = el("dialog", {
    className: "confirm-dialog",
    attrs: { "aria-labelledby": "erase-dialog-title", "aria-describedby": "erase-dialog-text" },
  },
  el("h2", { className: "confirm-dialog__title", text: t("contact.erase_title", { name: contact.name || contact.user_id }),
    attrs: { id: "erase-dialog-title" } }),
  el("p", { className: "confirm-dialog__text", text: t("contact.erase_text"), attrs: { id: "erase-dialog-text" } }),
  error,
  el("div", { className: "confirm-dialog__buttons" }, cancel, confirm));
  document.body.append(dialog);
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (opener.isConnected) opener.focus();
  });
  cancel.addEventListener("click", () => dialog.close());
  confirm.addEventListener("click", async () => {
    confirm.disabled = cancel.disabled = true;
    const problem = await eraseContact(path);
    if (!problem) {
      dialog.close();
      return;
    }
    confirm.disabled = cancel.disabled = false;
    error.textContent = t("contact.erase_failed", { reason: problem });
    error.hidden = false;
  });
  dialog.showModal();
  cancel.focus();
}

/** Erase on the server; what went wrong, or null. The inbox hears of each
 * deleted conversation by the usual conversation_deleted event. */
async function eraseContact(path) {
  try {
    const response = await fetch(path, {
      method: "DELETE",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    });
    if (response.ok) return null;
    const body = await response.json().catch(() => null);
    return body?.error?.message || t("error.http", { status: response.status });
  } catch (failure) {
    return failure.message;
  }
}
