// Keyboard shortcuts of the inbox: move through the conversation list, open
// a conversation, reach the reply box, and press the open conversation's
// buttons that carry `data-key-action`. A key whose button is not on the page
// does nothing.
//
// Single-character keys never fire while typing in a field or with
// Ctrl/Alt/Meta, and can be turned off in the help overlay (WCAG 2.1.4: they
// get in the way of speech input and some screen readers). Arrow keys in the
// list and Esc are not character keys and always work.

import { t } from "../common/i18n.js";
import { el } from "../common/dom.js";
import { KeyHelp } from "./key-help.js";

// Where the keys act. The list is found by its items (buttons that open a
// conversation when clicked), so it may be rebuilt freely.
const LIST = "#conversation-list";
const LIST_ITEM = `${LIST} .conv-item`;
const LIST_TITLE = "#conversation-list-title";
const PANE = "#conversation";
const REPLY_BOX = "#composer-input";
const STORAGE_KEY = "livechat:inbox:shortcuts";

/** Every shortcut, in the order the help overlay lists them (two columns: the first two groups, then the third). */
export const SHORTCUTS = [
  { name: "next", group: "list", keys: ["j", "↓"] },
  { name: "previous", group: "list", keys: ["k", "↑"] },
  { name: "open", group: "list", keys: ["Enter", "o"] },
  { name: "search", group: "list", keys: ["/"], action: "search" },
  { name: "help", group: "general", keys: ["?"] },
  { name: "escape", group: "general", keys: ["Esc"] },
  { name: "reply", group: "conversation", keys: ["r"] },
  { name: "note", group: "conversation", keys: ["n"], action: "note" },
  { name: "resolve", group: "conversation", keys: ["e"], action: "resolve" },
  { name: "reopen", group: "conversation", keys: ["Shift+E"], action: "reopen" },
  { name: "snooze", group: "conversation", keys: ["z"], action: "snooze" },
  { name: "claim", group: "conversation", keys: ["c"], action: "claim" },
  { name: "assign", group: "conversation", keys: ["a"], action: "assign" },
];

/** Character keys (event.key) and the shortcut each one runs. */
const CHARACTER_KEYS = {
  j: "next", k: "previous", o: "open", "/": "search", r: "reply", n: "note",
  e: "resolve", E: "reopen", z: "snooze", c: "claim", a: "assign", "?": "help",
};

const ARROW_KEYS = { ArrowDown: "next", ArrowUp: "previous" };

/** Start listening for the inbox's keys; adds the "Shortcuts" button to the top bar. */
export function installShortcuts() {
  return new InboxKeys();
}

class InboxKeys {
  constructor() {
    this.enabled = readEnabled();
    this.help = new KeyHelp({
      shortcuts: SHORTCUTS,
      enabled: this.enabled,
      onToggle: (enabled) => this.#setEnabled(enabled),
    });
    this.run = {
      next: () => moveInList(1),
      previous: () => moveInList(-1),
      open: openFocusedItem,
      reply: focusReplyBox,
      help: () => this.#showHelp(),
    };
    document.addEventListener("keydown", (event) => this.#onKeyDown(event));
    addOpener(() => this.#showHelp());
  }

  /** @param {KeyboardEvent} event */
  #onKeyDown(event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    // A modal dialog (this help, the delete confirmation) has the keyboard to itself.
    if (document.querySelector("dialog:modal")) return;
    if (event.key === "Escape") {
      if (escape()) event.preventDefault();
      return;
    }
    const name = this.#shortcutFor(event);
    if (name && this.#perform(name)) event.preventDefault();
  }

  /** @returns {string|null} */
  #shortcutFor(event) {
    if (ARROW_KEYS[event.key] && inList(document.activeElement)) return ARROW_KEYS[event.key];
    if (!this.enabled || isTextField(event.target)) return null;
    if (event.key === "E" && !event.shiftKey) return null; // Caps Lock, not Shift+E
    return Object.hasOwn(CHARACTER_KEYS, event.key) ? CHARACTER_KEYS[event.key] : null;
  }

  /** @returns {boolean} whether the key did something */
  #perform(name) {
    const shortcut = SHORTCUTS.find((item) => item.name === name);
    return shortcut.action ? pressAction(shortcut.action) : this.run[name]();
  }

  #showHelp() {
    this.help.open((shortcut) => isAvailable(shortcut));
    return true;
  }

  #setEnabled(enabled) {
    this.enabled = enabled;
    try {
      if (enabled) localStorage.removeItem(STORAGE_KEY);
      else localStorage.setItem(STORAGE_KEY, "off");
    } catch {
      // Storage blocked: the choice holds for this page only.
    }
  }
}

function readEnabled() {
  try {
    return localStorage.getItem(STORAGE_KEY) !== "off";
  } catch {
    return true;
  }
}

/** The top bar's button that opens the help, the way in when character keys are off. */
function addOpener(onClick) {
  const actions = document.querySelector(".topbar__actions");
  if (!actions) return;
  const button = el("button", {
    className: "button button--quiet key-help-opener",
    attrs: { type: "button", "aria-haspopup": "dialog", title: t("keys.title_hint") },
  }, el("span", { className: "key-help-opener__key", text: "?", attrs: { "aria-hidden": "true" } }),
  el("span", { className: "key-help-opener__text", text: t("keys.shortcuts") }));
  button.addEventListener("click", onClick);
  actions.prepend(button);
}

/** Whether a shortcut would do something on the page as it is now. */
function isAvailable({ name, action }) {
  if (action) return actionButton(action) !== null;
  if (name === "next" || name === "previous" || name === "open") return listItems().length > 0;
  if (name === "reply") return replyBox() !== null;
  return true;
}

function listItems() {
  return [...document.querySelectorAll(LIST_ITEM)].filter(isShown);
}

function inList(element) {
  return Boolean(element?.closest?.(LIST));
}

/**
 * Move keyboard focus to the next (1) or previous (-1) conversation; from
 * outside the list, start at the open one (or the top).
 */
function moveInList(step) {
  const items = listItems();
  if (items.length === 0) return false;
  const focused = items.indexOf(document.activeElement);
  const from = focused >= 0 ? focused : items.findIndex((item) => item.getAttribute("aria-current") === "true");
  const to = from < 0 ? 0 : Math.min(Math.max(from + step, 0), items.length - 1);
  items[to].focus();
  items[to].scrollIntoView({ block: "nearest" });
  return true;
}

function openFocusedItem() {
  const item = document.activeElement;
  if (!inList(item) || !item.matches(LIST_ITEM)) return false;
  item.click();
  return true;
}

/** @returns {HTMLTextAreaElement|null} the open conversation's reply box, if it takes text */
function replyBox() {
  const box = document.querySelector(REPLY_BOX);
  return box && isUsable(box) ? box : null;
}

function focusReplyBox() {
  const box = replyBox();
  box?.focus();
  return Boolean(box);
}

/** The button for an action: in the open conversation; the search field anywhere. */
function actionButton(action) {
  const scope = action === "search" ? document : document.querySelector(PANE);
  if (!scope) return null;
  return [...scope.querySelectorAll(`[data-key-action="${action}"]`)].find(isUsable) || null;
}

function pressAction(action) {
  const target = actionButton(action);
  if (!target) return false;
  if (isTextField(target)) {
    target.focus();
    target.select?.();
    return true;
  }
  // A menu opens under its button; focus it so the menu takes the keyboard from there.
  if (target.hasAttribute("aria-haspopup")) target.focus();
  target.click();
  if (action === "note") focusReplyBox();
  return true;
}

/** Esc: close an open menu, else leave the reply box for the list. */
function escape() {
  const menuButton = document.querySelector('[aria-haspopup][aria-expanded="true"]');
  if (menuButton) {
    menuButton.click();
    menuButton.focus();
    return true;
  }
  const focused = document.activeElement;
  if (!isTextField(focused) || !focused.closest(PANE)) return false;
  const current = listItems().find((item) => item.getAttribute("aria-current") === "true");
  (current || listItems()[0] || document.querySelector(LIST_TITLE))?.focus();
  return true;
}

function isTextField(element) {
  if (!element || !(element instanceof Element)) return false;
  if (element.isContentEditable) return true;
  if (element.matches("textarea, select")) return true;
  return element.matches("input") && !["button", "checkbox", "radio", "submit", "reset"].includes(element.type);
}

function isShown(element) {
  return element.getClientRects().length > 0;
}

function isUsable(element) {
  return isShown(element) && !element.disabled && element.getAttribute("aria-disabled") !== "true";
}
