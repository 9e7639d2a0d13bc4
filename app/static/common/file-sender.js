// Choosing files to send (the paperclip button, dropping them on the chat,
// pasting them into the message box) and the tray of uploads above the
// composer: each with its progress bar and a Cancel button, and what went
// wrong, said plainly, until dismissed.

import { el } from "./dom.js";
import { formatBytes } from "./attachments.js";
import { onLocaleChange, t } from "./i18n.js";
import { uploadFile } from "./upload.js";

export class FileSender {
  /**
   * @param {object} options
   * @param {HTMLButtonElement} options.button opens the file picker
   * @param {HTMLInputElement} options.input a hidden <input type="file" multiple>
   * @param {HTMLElement} options.dropZone where files may be dropped
   * @param {HTMLElement} options.pasteTarget where files may be pasted (the message box)
   * @param {HTMLElement} options.tray the list of uploads
   * @param {() => Promise<{url: string, headers?: Record<string, string>}>} options.target
   *   where to upload (the widget starts its conversation first)
   * @param {(file: object, destination: object) => void} options.onUploaded the server's file
   *   object, to send, and what `target` answered for it
   * @param {() => string|null} [options.refusal] why no file may be sent now, or null
   * @param {number} [options.maxBytes] the server's CHAT_MAX_FILE_BYTES, when known
   */
  constructor({ button, input, dropZone, pasteTarget, tray, target, onUploaded, refusal = () => null, maxBytes }) {
    Object.assign(this, { button, input, dropZone, tray, target, onUploaded, refusal, maxBytes });
    // Files upload side by side but are sent in the order they were chosen.
    this.lastTurn = Promise.resolve();
    button.addEventListener("click", () => input.click());
    input.addEventListener("change", () => {
      this.send([...input.files]);
      input.value = "";
    });
    pasteTarget.addEventListener("paste", (event) => {
      const files = [...(event.clipboardData?.files || [])];
      if (!files.length) return;
      event.preventDefault();
      this.send(files);
    });
    this.#acceptDrops();
  }

  /** @param {boolean} enabled false while nothing can be sent (an ended chat) */
  setEnabled(enabled) {
    this.button.disabled = !enabled;
  }

  /** @param {File[]} files */
  send(files) {
    for (const file of files) this.#upload(file);
  }

  #acceptDrops() {
    const carriesFiles = (event) => [...(event.dataTransfer?.types || [])].includes("Files");
    let depth = 0;
    this.dropZone.addEventListener("dragenter", (event) => {
      if (!carriesFiles(event)) return;
      depth += 1;
      this.dropZone.classList.add("is-dropping");
    });
    this.dropZone.addEventListener("dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (!depth) this.dropZone.classList.remove("is-dropping");
    });
    this.dropZone.addEventListener("dragover", (event) => {
      if (carriesFiles(event)) event.preventDefault();
    });
    this.dropZone.addEventListener("drop", (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth = 0;
      this.dropZone.classList.remove("is-dropping");
      this.send([...event.dataTransfer.files]);
    });
  }

  async #upload(file) {
    const refusedNow = this.refusal();
    const refused = refusedNow ? () => refusedNow : this.#tooLarge(file);
    if (refused) {
      this.#showError(() => t("upload.not_sent", { name: file.name, reason: refused() }));
      return;
    }
    const row = new UploadRow(file);
    this.tray.append(row.element);
    const previous = this.lastTurn;
    let endTurn;
    this.lastTurn = new Promise((resolve) => { endTurn = resolve; });
    try {
      const destination = await this.target();
      const upload = uploadFile({
        url: destination.url, headers: destination.headers, file, onProgress: (fraction) => row.setProgress(fraction),
      });
      row.onCancel = upload.cancel;
      const stored = await upload.done;
      await previous;
      row.remove();
      this.onUploaded(stored, destination);
    } catch (error) {
      row.remove();
      if (error.code !== "cancelled") {
        const reason = () => error.explain?.() ?? error.message;
        this.#showError(() => t("upload.not_sent", { name: file.name, reason: reason() }));
      }
      // The desk takes no files from this side (an admin's setting): no more paperclip.
      if (error.code === "forbidden") this.button.hidden = true;
    } finally {
      endTurn();
    }
  }

  #tooLarge(file) {
    if (!this.maxBytes || file.size <= this.maxBytes) return null;
    return () => t("upload.too_large", { size: formatBytes(file.size), max: formatBytes(this.maxBytes) });
  }

  /**
   * What went wrong, until dismissed; written again if the page's language changes.
   * @param {() => string} text
   */
  #showError(text) {
    const message = el("span", { className: "upload__error", attrs: { role: "alert" } });
    const dismiss = el("button", { className: "upload__dismiss", attrs: { type: "button" } });
    const write = () => {
      message.textContent = text();
      dismiss.textContent = t("upload.dismiss");
    };
    write();
    const stopWriting = onLocaleChange(write);
    const row = el("li", { className: "upload upload--failed" }, message, dismiss);
    dismiss.addEventListener("click", () => {
      row.remove();
      stopWriting();
    });
    this.tray.append(row);
  }
}

/** One file on its way: name, progress bar, Cancel. */
class UploadRow {
  constructor(file) {
    this.onCancel = () => {};
    this.progress = el("progress", { className: "upload__progress", attrs: { max: "100", value: "0" } });
    const cancel = el("button", { className: "upload__cancel", attrs: { type: "button" } });
    const write = () => {
      this.progress.setAttribute("aria-label", t("upload.progress", { name: file.name }));
      cancel.textContent = t("upload.cancel");
    };
    write();
    this.stopWriting = onLocaleChange(write);
    cancel.addEventListener("click", () => this.onCancel());
    this.element = el("li", { className: "upload" },
      el("span", { className: "upload__name", text: file.name }),
      el("span", { className: "upload__size", text: formatBytes(file.size) }),
      this.progress, cancel);
  }

  /** The upload is over: off the tray. */
  remove() {
    this.element.remove();
    this.stopWriting();
  }

  /** @param {number} fraction */
  setProgress(fraction) {
    this.progress.value = Math.round(fraction * 100);
  }
}
