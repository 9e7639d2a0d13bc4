// The open conversation's header actions: export the transcript (a plain
// download link) and delete the conversation after a confirmation dialog.

import { t } from "../common/i18n.js";
import { deleteConversation, transcriptUrl } from "./api.js";

export class ConversationActions {
  /**
   * @param {object} options
   * @param {HTMLAnchorElement} options.exportLink
   * @param {HTMLButtonElement} options.deleteButton
   * @param {HTMLDialogElement} options.dialog the confirmation dialog
   * @param {(id: number) => string} options.describe names the conversation in the dialog
   * @param {(id: number) => void} options.onDeleted after the server deleted it
   */
  constructor({ exportLink, deleteButton, dialog, describe, onDeleted }) {
    this.exportLink = exportLink;
    this.deleteButton = deleteButton;
    this.dialog = dialog;
    this.describe = describe;
    this.onDeleted = onDeleted;
    this.dialogText = dialog.querySelector(".confirm-dialog__text");
    this.dialogError = dialog.querySelector(".confirm-dialog__error");
    this.cancelButton = dialog.querySelector("#delete-dialog-cancel");
    this.confirmButton = dialog.querySelector("#delete-dialog-confirm");
    this.conversationId = null;
    this.deleting = false;
    this.#bind();
  }

  /**
   * Point the actions at the open conversation (null when none is open).
   * @param {number|null} id
   */
  setConversation(id) {
    if (id !== this.conversationId && this.dialog.open) this.dialog.close();
    this.conversationId = id;
    this.exportLink.href = id === null ? "#" : transcriptUrl(id);
    this.exportLink.setAttribute("download", id === null ? "" : `conversation-${id}.json`);
  }

  #bind() {
    this.deleteButton.addEventListener("click", () => this.#askToDelete());
    this.cancelButton.addEventListener("click", () => this.dialog.close());
    this.confirmButton.addEventListener("click", () => this.#delete());
    // Escape closes a modal dialog by itself; not while the request runs.
    this.dialog.addEventListener("cancel", (event) => {
      if (this.deleting) event.preventDefault();
    });
    // A click on the backdrop (outside the dialog's box) cancels too.
    this.dialog.addEventListener("click", (event) => {
      if (event.target === this.dialog && !this.deleting && outsideBox(this.dialog, event)) this.dialog.close();
    });
  }

  #askToDelete() {
    if (this.conversationId === null) return;
    this.dialogText.textContent = t("delete.text", { name: this.describe(this.conversationId) });
    this.#showError("");
    this.#setBusy(false);
    this.dialog.showModal();
    this.cancelButton.focus();
  }

  async #delete() {
    const id = this.conversationId;
    if (id === null || this.deleting) return;
    this.#setBusy(true);
    try {
      await deleteConversation(id);
    } catch (error) {
      this.#setBusy(false);
      this.#showError(t("delete.failed", { reason: error.message }));
      this.confirmButton.focus();
      return;
    }
    this.#setBusy(false);
    this.dialog.close();
    this.onDeleted(id);
  }

  #setBusy(busy) {
    this.deleting = busy;
    this.confirmButton.disabled = busy;
    this.cancelButton.disabled = busy;
    this.confirmButton.textContent = t(busy ? "delete.deleting" : "delete.confirm");
  }

  #showError(text) {
    this.dialogError.textContent = text;
    this.dialogError.hidden = !text;
  }
}

function outsideBox(element, { clientX, clientY }) {
  const box = element.getBoundingClientRect();
  return clientX < box.left || clientX > box.right || clientY < box.top || clientY > box.bottom;
}
