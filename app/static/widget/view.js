// The widget's DOM: launcher button with unread badge, and the chat panel
// (header with presence and an options menu, connection notice, greeting,
// messages, typing line, composer or the "chat ended" footer, and the
// end-chat confirmation). Only structure and display state live here.

import { el } from "../common/dom.js";
import { currentLocale, t, textDirection } from "../common/i18n.js";
import { icon } from "../common/icons.js";

const CONNECTION_TEXT = {
  connecting: "connection.connecting",
  reconnecting: "connection.reconnecting",
};

/** Show "Connecting…" only when connecting takes longer than this. */
const CONNECTION_NOTICE_DELAY_MS = 1500;

/**
 * Build the widget inside a shadow root.
 * @param {ShadowRoot} shadowRoot
 * @param {{title?: string, greeting?: string, position: "left"|"right"|"end"}} config
 *   the site's title and greeting, shown as given; without them the widget's own, translated
 * @returns {WidgetView}
 */
export function createView(shadowRoot, config) {
  const view = new WidgetView(config);
  shadowRoot.append(view.root);
  return view;
}

class WidgetView {
  constructor({ title, greeting, position }) {
    /** Texts to (re)write in the active language: [element, key or () => text, attribute]. */
    this.texts = [];
    this.siteTitle = title || null;
    this.agentName = null;
    this.presenceState = "unknown";
    this.unreadCount = 0;
    this.connectionState = null;
    this.presence = el("p", { className: "lc-presence lc-presence--unknown" },
      el("span", { className: "lc-presence__dot", attrs: { "aria-hidden": "true" } }),
      el("span", { className: "lc-presence__text" }));
    this.closeButton = el("button", {
      className: "lc-icon-button lc-close",
      attrs: { type: "button" },
    }, icon("close"));
    this.#say(this.closeButton, "panel.close", "aria-label");
    this.#say(this.closeButton, "panel.close_hint", "title");
    this.menuButton = el("button", {
      className: "lc-icon-button lc-menu-button",
      attrs: { type: "button", "aria-haspopup": "menu", "aria-expanded": "false", "aria-controls": "lc-menu" },
    }, icon("more"));
    this.#say(this.menuButton, "panel.options", "aria-label");
    this.#say(this.menuButton, "panel.options", "title");
    this.menuButton.hidden = true;
    this.endChatItem = el("button", {
      className: "lc-menu__item",
      attrs: { type: "button", role: "menuitem", tabindex: "-1" },
    }, icon("exit", "lc-menu__icon"), this.#say(el("span"), "end.menu_item"));
    this.menu = el("div", { className: "lc-menu", attrs: { id: "lc-menu", role: "menu" } }, this.endChatItem);
    this.#say(this.menu, "panel.options", "aria-label");
    this.menu.hidden = true;
    this.connection = el("p", { className: "lc-connection", attrs: { role: "status" } });
    this.connection.hidden = true;
    this.olderIndicator = this.#say(el("p", { className: "lc-older" }), "panel.older");
    this.olderIndicator.hidden = true;
    this.messages = el("div", { className: "lc-messages" });
    this.scroller = el("div", {
      className: "lc-scroll",
      attrs: { tabindex: "0", role: "region" },
    }, this.olderIndicator, this.#buildGreeting(greeting), this.messages);
    this.#say(this.scroller, "panel.messages", "aria-label");
    this.typing = el("p", { className: "lc-typing" });
    // Always in the page, so a screen reader hears the typing line appear.
    this.typingRegion = el("div", {
      className: "lc-typing-region",
      attrs: { "aria-live": "polite", "aria-atomic": "true" },
    }, this.typing);
    this.announcer = el("p", { className: "sr-only", attrs: { "aria-live": "polite", "aria-atomic": "true" } });
    this.textarea = el("textarea", {
      className: "lc-input",
      attrs: { id: "lc-input", rows: "1", autocomplete: "off" },
    });
    this.#say(this.textarea, "composer.placeholder", "placeholder");
    this.sendButton = el("button", { className: "lc-send", attrs: { type: "submit" } }, icon("send"));
    this.#say(this.sendButton, "composer.send", "aria-label");
    this.#say(this.sendButton, "composer.send_hint", "title");
    this.limitNotice = el("p", { className: "lc-limit", attrs: { "aria-live": "polite" } });
    this.limitNotice.hidden = true;
    this.attachButton = el("button", {
      className: "lc-icon-button lc-attach",
      attrs: { type: "button" },
    }, icon("attach"));
    this.#say(this.attachButton, "files.attach", "aria-label");
    this.#say(this.attachButton, "files.attach", "title");
    this.fileInput = el("input", {
      className: "sr-only", attrs: { type: "file", multiple: "", tabindex: "-1", "aria-hidden": "true" },
    });
    this.uploads = this.#say(el("ul", { className: "lc-uploads uploads" }), "files.tray", "aria-label");
    this.form = el("form", { className: "lc-composer" },
      this.#say(el("label", { className: "sr-only", attrs: { for: "lc-input" } }), "composer.label"),
      this.attachButton, this.fileInput, this.textarea, this.sendButton);
    this.newChatButton = this.#say(el("button", {
      className: "lc-button lc-button--primary",
      attrs: { type: "button" },
    }), "ended.new_chat");
    this.ended = el("div", { className: "lc-ended" },
      this.#say(el("p", { className: "lc-ended__title" }), "ended.title"),
      this.#say(el("p", { className: "lc-ended__text" }), "ended.text"),
      this.newChatButton);
    this.ended.hidden = true;
    this.confirmCancel = this.#say(el("button", { className: "lc-button lc-button--quiet", attrs: { type: "button" } }),
      "end.cancel");
    this.confirmEnd = this.#say(el("button", { className: "lc-button lc-button--danger", attrs: { type: "button" } }),
      "end.confirm");
    this.confirmError = el("p", { className: "lc-confirm__error", attrs: { role: "alert" } });
    this.confirmError.hidden = true;
    this.confirm = el("div", {
      className: "lc-confirm",
      attrs: {
        role: "alertdialog", "aria-modal": "true",
        "aria-labelledby": "lc-confirm-title", "aria-describedby": "lc-confirm-text",
      },
    }, el("div", { className: "lc-confirm__card" },
      this.#say(el("h3", { className: "lc-confirm__title", attrs: { id: "lc-confirm-title" } }), "end.confirm_title"),
      this.#say(el("p", { className: "lc-confirm__text", attrs: { id: "lc-confirm-text" } }), "end.confirm_text"),
      this.confirmError,
      el("div", { className: "lc-confirm__buttons" }, this.confirmCancel, this.confirmEnd)));
    this.confirm.hidden = true;
    this.title = el("h2", { className: "lc-title" });
    this.panel = el("section", {
      className: "lc-panel",
      attrs: { id: "lc-panel", role: "dialog" },
    }, buildHeader(this.title, this.presence, this.menuButton, this.menu, this.closeButton), this.connection,
    this.scroller, this.typingRegion, this.uploads, this.limitNotice, this.form, this.ended, this.confirm,
    this.announcer);
    this.#say(this.panel, () => this.#titleText(), "aria-label");
    this.panel.hidden = true;
    this.badge = el("span", { className: "lc-badge", attrs: { "aria-hidden": "true" } });
    this.badge.hidden = true;
    this.launcherLabel = el("span", { className: "sr-only" });
    this.launcher = el("button", {
      className: "lc-launcher",
      attrs: { type: "button", "aria-controls": "lc-panel", "aria-expanded": "false" },
    }, icon("chat", "lc-launcher__icon"), icon("close", "lc-launcher__icon"), this.launcherLabel, this.badge);
    this.root = el("div", { className: `lc-root lc-root--${position}` }, this.panel, this.launcher);
    this.connectionTimer = null;
    this.showLanguage();
  }

  /**
   * Write a text now and again whenever the language changes.
   * @param {HTMLElement} element
   * @param {string|(() => string)} key a catalogue key, or a function making the text
   * @param {string} [attribute] an attribute to set instead of the text
   * @returns {HTMLElement} the element
   */
  #say(element, key, attribute) {
    this.texts.push([element, key, attribute]);
    return element;
  }

  /**
   * For the widget's other parts: write a text now, and again whenever the
   * language changes.
   * @param {HTMLElement} element
   * @param {string|(() => string)} key a catalogue key, or a function making the text
   * @param {string} [attribute] an attribute to set instead of the text
   * @returns {HTMLElement} the element
   */
  say(element, key, attribute) {
    this.#say(element, key, attribute);
    writeText(element, key, attribute);
    return element;
  }

  /** Show every text in the active language, laid out in its direction. */
  showLanguage() {
    this.root.lang = currentLocale();
    this.root.dir = textDirection();
    for (const [element, key, attribute] of this.texts) writeText(element, key, attribute);
    this.title.textContent = this.agentName ?? this.#titleText();
    this.#showPresence();
    this.#showLauncherLabel();
    if (!this.connection.hidden) this.connection.textContent = t(CONNECTION_TEXT[this.connectionState]);
  }

  #titleText() {
    return this.siteTitle ?? t("widget.title");
  }

  #buildGreeting(greeting) {
    return el("div", { className: "message message--theirs lc-greeting" },
      this.#say(el("span", { className: "message__author" }), () => this.#titleText()),
      el("div", { className: "message__bubble" },
        // The site's greeting may be in another language than the widget's.
        this.#say(el("p", { className: "message__body", attrs: { dir: "auto" } }),
          () => greeting || t("widget.greeting"))));
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
    this.#showLauncherLabel();
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
    this.title.textContent = this.agentName ?? this.#titleText();
    this.#showPresence();
  }

  #showPresence() {
    const state = this.presenceState;
    this.presence.className = `lc-presence lc-presence--${state}`;
    let key = `presence.${this.agentName ? "agent" : "team"}.${state}`;
    if (this.agentName && state === "online" && this.agentAvailable === false) key = "presence.agent.away";
    this.presence.lastChild.textContent = t(key);
  }

  /** @param {import("./connection.js").ConnectionState} state */
  setConnection(state) {
    clearTimeout(this.connectionTimer);
    this.connectionState = state;
    if (!CONNECTION_TEXT[state]) {
      this.connection.hidden = true;
      return;
    }
    const show = () => {
      this.connection.textContent = t(CONNECTION_TEXT[state]);
      this.connection.hidden = false;
    };
    if (state === "connecting") this.connectionTimer = setTimeout(show, CONNECTION_NOTICE_DELAY_MS);
    else show();
  }

  /** @param {number} count unread messages; 0 hides the badge */
  setUnread(count) {
    this.badge.hidden = count <= 0;
    this.badge.textContent = count > 9 ? "9+" : String(count);
    this.unreadCount = count;
    this.#showLauncherLabel();
  }

  #showLauncherLabel() {
    const label = t(this.panel.hidden ? "launcher.open" : "launcher.close");
    const count = this.unreadCount;
    this.launcherLabel.textContent = count > 0 ? t("launcher.unread", { label, count }) : label;
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

function writeText(element, key, attribute) {
  const text = typeof key === "function" ? key() : t(key);
  if (attribute) element.setAttribute(attribute, text);
  else element.textContent = text;
}

function buildHeader(title, presence, menuButton, menu, closeButton) {
  // A <div>, not a <header>: the host page has its own banner landmark, and
  // the panel's title bar is part of the dialog, not a second page banner.
  return el("div", { className: "lc-header" },
    el("div", { className: "lc-header__text" }, title, presence),
    menuButton,
    closeButton,
    menu);
}

