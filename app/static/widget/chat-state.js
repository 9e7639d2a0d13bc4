// Where the visitor's chat stands, as the server tells it (`chat_state`,
// on every connect and every change): who answers it (the header shows the
// assigned agent's name), and whether it was answered (a calm line after
// the last message; writing again reopens it). A snoozed chat looks open
// to the visitor. An ended chat is the caller's to show.

import { el } from "../common/dom.js";
import { t } from "../common/i18n.js";
import { icon } from "../common/icons.js";

const NEAR_BOTTOM_PX = 80;

export class ChatState {
  /** @param {object} view the widget view (see view.js) */
  constructor(view) {
    this.view = view;
    /** @type {string|null} the last state the server told, null before the first */
    this.state = null;
    this.agentName = null;
    this.line = el("p", { className: "lc-answered" },
      icon("tick", "lc-answered__icon"),
      el("span", { text: t("state.answered") }));
    this.line.hidden = true;
    view.messages.after(this.line);
  }

  /**
   * Show what a `chat_state` event says.
   * @param {{state: string, agent: {name: string, available?: boolean}|null}} payload
   */
  apply({ state, agent }) {
    const known = this.state !== null;
    // Nobody answers an ended chat any more.
    const named = state !== "ended" && typeof agent?.name === "string" && agent.name.trim();
    const name = named ? agent.name.trim() : null;
    if (known && name && name !== this.agentName) this.view.announce(t("state.agent_answering", { name }));
    if (known && state === "resolved" && this.state !== "resolved") this.view.announce(t("state.answered"));
    this.state = state;
    this.agentName = name;
    this.view.setAgent(name, agent?.available !== false);
    this.#showAnswered(state === "resolved");
  }

  /** Write the line in the active language. */
  showLanguage() {
    this.line.lastChild.textContent = t("state.answered");
  }

  /** The visitor wrote again: the server reopens the chat, so the line goes now. */
  visitorWrote() {
    if (this.state === "resolved") this.state = "open";
    this.#showAnswered(false);
  }

  /** A new chat, or none: nobody answers it yet. */
  reset() {
    this.state = null;
    this.agentName = null;
    this.view.setAgent(null);
    this.#showAnswered(false);
  }

  #showAnswered(answered) {
    if (this.line.hidden !== answered) return;
    const { scroller } = this.view;
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
    this.line.hidden = !answered;
    if (answered && atBottom) scroller.scrollTop = scroller.scrollHeight;
  }
}
