// The widget's DOM: launcher button with unread badge, and the chat panel
// (header with presence and an options menu, connection notice, greeting,
// messages, typing line, composer or the "chat ended" footer, and the
// end-chat confirmation). Only structure and display state live here.

import { el } from "../common/dom.js";
import { icon } from "../common/icons.js";

const PRESENCE_TEXT = {
  unknown: "We're here to help",
  online: "We're online",
  offline: "We'll reply soon",
};

/** Under the name of the agent the chat is assigned to. */
const AGENT_PRESENCE_TEXT = {
  unknown: "usually answers in a few minutes",
  online: "is answering",
  offline: "usually answers in a few minutes",
};

/** Under the name of an assigned agent who is away, while others are online. */
const AGENT_AWAY_TEXT = "is away; the team is online";

const CONNECTION_TEXT = {
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
};

/** Show "Connecting…" only when connecting takes longer than this. */
const CONNECTION_NOTICE_DELAY_MS = 1500;

/**
 * Build the widget inside a shadow root.
 * @param {ShadowRoot} shadowRoot
 * @param {{title: string, greeting: string, position: "left"|"right"}} config
 * @returns {WidgetView}
 */
export function createView(shadowRoot, config) {
  const view = new WidgetView(config);
  shadowRoot.append(view.root);
  return view;
}

class WidgetView {
  constructor({ title, greeting, position }) {
    this.defaultTitle = title;
    this.agentName = null;
    this.presenceState = "unknown";
    this.presence = el("p", { className: "lc-presence lc-presence--unknown" },
      el("span", { className: "lc-presence__dot", attrs: { "aria-hidden": "true" } }),
      el("span", { className: "lc-presence__text", text: PRESENCE_TEXT.unknown }));
    this.closeButton = el("button", {
      className: "lc-icon-button lc-close",
      attrs: { type: "button", "aria-label": "Close chat", title: "Close (Esc)" },
    }, icon("close"));
    this.menuButton = el("button", {
      className: "lc-icon-button lc-menu-button",
      attrs: {
        type: "button", "aria-label": "Chat options", title: "Chat options",
        "aria-haspopup": "menu", "aria-expanded": "false", "aria-controls": "lc-menu",
      },
    }, icon("more"));
    this.menuButton.hidden = true;
    this.endChatItem = el("button", {
      className: "lc-menu__item",
      attrs: { type: "button", role: "menuitem", tabindex: "-1" },
    }, icon("exit", "lc-menu__icon"), el("span", { text: "End chat" }));
    this.menu = el("div", {
      className: "lc-menu",
      attrs: { id: "lc-menu", role: "menu", "aria-label": "Chat options" },
    }, this.endChatItem);
    this.menu.hidden = true;
    this.connection = el("p", { className: "lc-connection", attrs: { role: "status" } });
    this.connection.hidden = true;
    this.olderIndicator = el("p", { className: "lc-older", text: "Loading earlier messages…" });
    this.olderIndicator.hidden = true;
    this.messages = el("div", { className: "lc-messages" });
    this.scroller = el("div", {
      className: "lc-scroll",
      attrs: { tabindex: "0", role: "region", "aria-label": "Messages" },
    }, this.olderIndicator, buildGreeting(title, greeting), this.messages);
    this.typing = el("p", { className: "lc-typing" });
    // Always in the page, so a screen reader hears the typing line appear.
    this.typingRegion = el("div", {
      className: "lc-typing-region",
      attrs: { "aria-live": "polite", "aria-atomic": "true" },
    }, this.typing);
    this.announcer = el("p", { className: "sr-only", attrs: { "aria-live": "polite", "aria-atomic": "true" } });
    this.textarea = el("textarea", {
      className: "lc-input",
      attrs: { id: "lc-input", rows: "1", placeholder: "Write a message…", autocomplete: "off" },
    });
    this.sendButton = el("button", {
      className: "lc-send",
      attrs: { type: "submit", "aria-label": "Send message", title: "Send (Enter)" },
    }, icon("send"));
    this.limitNotice = el("p", { className: "lc-limit", attrs: { "aria-live": "polite" } });
    this.limitNotice.hidden = true;
    this.attachButton = el("button", {
      className: "lc-icon-button lc-attach",
      attrs: { type: "button", "aria-label": "Send a file or image", title: "Send a file or image" },
    }, icon("attach"));
    this.fileInput = el("input", {
      className: "sr-only", attrs: { type: "file", multiple: "", tabindex: "-1", "aria-hidden": "true" },
    });
    this.uploads = el("ul", { className: "lc-uploads uploads", attrs: { "aria-label": "Files being sent" } });
    this.form = el("form", { className: "lc-composer" },
      el("label", { className: "sr-only", text: "Message", attrs: { for: "lc-input" } }),
      this.attachButton, this.fileInput, this.textarea, this.sendButton);
    this.newChatButton = el("button", {
      className: "lc-button lc-button--primary",
      attrs: { type: "button" },
      text: "Start a new chat",
    });
    this.ended = el("div", { className: "lc-ended" },
      el("p", { className: "lc-ended__title", text: "Chat ended" }),
      el("p", { className: "lc-ended__text", text: "Thanks for chatting with us." }),
      this.newChatButton);
    this.ended.hidden = true;
    this.confirmCancel = el("button", { className: "lc-button lc-button--quiet", attrs: { type: "button" }, text: "Cancel" });
    this.confirmEnd = el("button", { className: "lc-button lc-button--danger", attrs: { type: "button" }, text: "End chat" });
    this.confirmError = el("p", { className: "lc-confirm__error", attrs: { role: "alert" } });
    this.confirmError.hidden = true;
    this.confirm = el("div", {
      className: "lc-confirm",
      attrs: {
        role: "alertdialog", "aria-modal": "true",
        "aria-labelledby": "lc-confirm-title", "aria-describedby": "lc-confirm-text",
      },
    }, el("div", { className: "lc-confirm__card" },
      el("h3", { className: "lc-confirm__title", text: "End this chat?", attrs: { id: "lc-confirm-title" } }),
      el("p", {
        className: "lc-confirm__text",
        text: "The conversation will be closed and you won't be able to reply to it any more.",
        attrs: { id: "lc-confirm-text" },
      }),
      this.confirmError,
      el("div", { className: "lc-confirm__buttons" }, this.confirmCancel, this.confirmEnd)));
    this.confirm.hidden = true;
    this.panel = el("section", {
      className: "lc-panel",
      attrs: { id: "lc-panel", role: "dialog", "aria-label": title },
    }, buildHeader(title, this.presence, this.menuButton, this.menu, this.closeButton), this.connection,
    this.scroller, this.typingRegion, this.uploads, this.limitNotice, this.form, this.ended, this.confirm,
    this.announcer);
    this.panel.hidden = true;
    this.badge = el("span", { className: "lc-badge", attrs: { "aria-hidden": "true" } });
    this.badge.hidden = true;
    this.launcherLabel = el("span", { className: "sr-only", text: "Open chat" });
    this.launcher = el("button", {
      className: "lc-launcher",
      attrs: { type: "button", "aria-controls": "lc-panel", "aria-expanded": "false" },
    }, icon("chat", "lc-launcher__icon"), icon("close", "lc-launcher__icon"), this.launcherLabel, this.badge);
    this.root = el("div", { className: `lc-root lc-root--${position}` }, this.panel, this.launcher);
    this.connectionTimer = null;
  }

  /**
   * Set the accent colour, the text colour that reads on it, and the focus ring colour.
   * @param {{accent: string, onAccent: string, focus: string}} colors
   */
  setColors({ accent, onAccent, focus }) {
    this.root.style.setProperty("--lc-accent", accent);
    this.root.style.setProperty("--lc-on-accent", onAccent);
    this.root.style.setProperty("--lc-focus", focus);
  }

  /** @param {boolean} open */
  setOpen(open) {
    this.panel.hidden = !open;
    this.root.classList.toggle("lc-root--open", open);
    this.launcher.setAttribute("aria-expanded", String(open));
    this.launcherLabel.textContent = open ? "Close chat" : "Open chat";
  }

  /** @param {boolean|null} online null when not known yet */
  setPresence(online) {
    this.presenceState = online === null ? "unknown" : online ? "online" : "offline";
    this.#showPresence();
  }

  /**
   * Name the agent the chat is assigned to in the header, or (null) go
   * back to the widget's title.
   * @param {string|null} name
   * @param {boolean} [available] whether that agent can answer now
   */
  setAgent(name, available = true) {
    this.agentName = name || null;
    this.agentAvailable = available;
    this.panel.querySelector(".lc-title").textContent = this.agentName ?? this.defaultTitle;
    this.#showPresence();
  }

  #showPresence() {
    const state = this.presenceState;
    this.presence.className = `lc-presence lc-presence--${state}`;
    let text = (this.agentName ? AGENT_PRESENCE_TEXT : PRESENCE_TEXT)[state];
    if (this.agentName && state === "online" && this.agentAvailable === false) text = AGENT_AWAY_TEXT;
    this.presence.lastChild.textContent = text;
  }

  /** @param {import("./connection.js").ConnectionState} state */
  setConnection(state) {
    clearTimeout(this.connectionTimer);
    const text = CONNECTION_TEXT[state];
    if (!text) {
      this.connection.hidden = true;
      return;
    }
    const show = () => {
      this.connection.textContent = text;
      this.connection.hidden = false;
    };
    if (state === "connecting") this.connectionTimer = setTimeout(show, CONNECTION_NOTICE_DELAY_MS);
    else show();
  }

  /** @param {number} count unread messages; 0 hides the badge */
  setUnread(count) {
    this.badge.hidden = count <= 0;
    this.badge.textContent = count > 9 ? "9+" : String(count);
    const label = count > 0 ? ` (${count} unread)` : "";
    this.launcherLabel.textContent = `${this.panel.hidden ? "Open chat" : "Close chat"}${label}`;
  }

  /**
   * Read a message out to screen readers.
   * @param {string} text
   */
  announce(text) {
    this.announcer.textContent = text;
  }

  /** @returns {boolean} whether keyboard focus is inside the panel */
  hasFocus() {
    return this.panel.contains(this.root.getRootNode().activeElement);
  }

  /** @param {boolean} canEnd whether there is a conversation the visitor may end */
  setCanEnd(canEnd) {
    this.menuButton.hidden = !canEnd;
  }

  /**
   * Show the "chat ended" footer instead of the composer, or the composer again.
   * @param {boolean} ended
   */
  setEnded(ended) {
    this.ended.hidden = !ended;
    this.form.hidden = ended;
    if (ended) {
      this.typing.hidden = true;
      this.limitNotice.hidden = true;
    }
  }

  /** @returns {boolean} */
  get isEnded() {
    return !this.ended.hidden;
  }

  /** The element to focus when the panel opens. */
  get primaryControl() {
    return this.isEnded ? this.newChatButton : this.textarea;
  }
}

function buildHeader(title, presence, menuButton, menu, closeButton) {
  // A <div>, not a <header>: the host page has its own banner landmark, and
  // the panel's title bar is part of the dialog, not a second page banner.
  return el("div", { className: "lc-header" },
    el("div", { className: "lc-header__text" },
      el("h2", { className: "lc-title", text: title }),
      presence),
    menuButton,
    closeButton,
    menu);
}

function buildGreeting(title, greeting) {
  return el("div", { className: "message message--theirs lc-greeting" },
    el("span", { className: "message__author", text: title }),
    el("div", { className: "message__bubble" },
      el("p", { className: "message__body", text: greeting })));
}
