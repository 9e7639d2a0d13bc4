// The visitor's live typing preview in the open conversation (when the desk
// shows previews): their unsent words under the messages, as typed. Cleared
// like the typing line: when their typing ends, when their message comes,
// when another conversation opens. Not a live region: it changes with
// every few keystrokes, which a screen reader would read out endlessly.

/** Only the end of a long draft is shown: that is where the typing is. */
const SHOWN_CHARS = 280;

export class TypingPreview {
  /** @param {HTMLElement} element */
  constructor(element) {
    this.element = element;
    this.text = element.querySelector(".conversation__preview-text");
    this.openId = null;
  }

  /** @param {number|null} id the conversation now open */
  setConversation(id) {
    if (id !== this.openId) this.#show("");
    this.openId = id;
  }

  /** @param {{conversation_id: number, text: string}} payload a `typing_preview` event */
  onPreview({ conversation_id: id, text }) {
    if (id === this.openId) this.#show(typeof text === "string" ? text : "");
  }

  /** @param {{conversation_id: number, sender: string, is_typing: boolean}} typing */
  onTyping({ conversation_id: id, sender, is_typing: isTyping }) {
    if (id === this.openId && sender === "visitor" && !isTyping) this.#show("");
  }

  /** @param {{conversation_id: number, sender: string}} message */
  onMessage({ conversation_id: id, sender }) {
    if (id === this.openId && sender === "visitor") this.#show("");
  }

  #show(text) {
    const shown = text.trim();
    this.element.hidden = !shown;
    this.text.textContent = shown.length > SHOWN_CHARS ? `…${shown.slice(-SHOWN_CHARS)}` : shown;
  }
}
