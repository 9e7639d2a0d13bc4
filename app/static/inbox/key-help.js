// The keyboard shortcuts overlay: a modal dialog listing every key and what
// it does (marking those with nothing to act on right now), with the switch
// that turns the single-key shortcuts off. Focus returns where it was.

import { t } from "../common/i18n.js";
import { el } from "../common/dom.js";
import { icon } from "../common/icons.js";

/** How a screen reader should say the keys shown as symbols. */
const SPOKEN = { "↓": "keys.spoken.down", "↑": "keys.spoken.up", "/": "keys.spoken.slash", "?": "keys.spoken.question" };

export class KeyHelp {
  /**
   * @param {object} options
   * @param {object[]} options.shortcuts {name, group, keys} in display order; what each does and
   *   its group's title are the catalogue's keys.does.<name> and keys.group.<group>
   * @param {boolean} options.enabled whether single-key shortcuts are on
   * @param {(enabled: boolean) => void} options.onToggle
   */
  constructor({ shortcuts, enabled, onToggle }) {
    this.shortcuts = shortcuts;
    this.returnFocusTo = null;
    this.groups = el("div", { className: "key-help__groups" });
    this.toggle = el("input", { className: "key-help__checkbox", attrs: { type: "checkbox", id: "key-help-enabled" } });
    this.toggle.checked = enabled;
    this.toggle.addEventListener("change", () => onToggle(this.toggle.checked));
    this.closeButton = el("button", {
      className: "button button--quiet button--icon key-help__close",
      attrs: { type: "button", "aria-label": t("dialog.close"), title: t("dialog.close_hint") },
    }, icon("close", "button__icon"));
    this.closeButton.addEventListener("click", () => this.dialog.close());
    this.dialog = this.#build();
    this.dialog.addEventListener("close", () => this.#restoreFocus());
    this.dialog.addEventListener("keydown", (event) => this.#keepTabInside(event));
    // A click on the backdrop (outside the dialog's box) closes it too.
    this.dialog.addEventListener("click", (event) => {
      if (event.target === this.dialog && outsideBox(this.dialog, event)) this.dialog.close();
    });
    document.body.append(this.dialog);
  }

  /**
   * Show the overlay; `isAvailable` tells which shortcuts have something to act on now.
   * @param {(shortcut: object) => boolean} isAvailable
   */
  open(isAvailable) {
    if (this.dialog.open) return;
    this.returnFocusTo = document.activeElement;
    this.groups.replaceChildren(...this.#renderGroups(isAvailable));
    this.dialog.showModal();
    this.closeButton.focus();
  }

  #build() {
    return el("dialog", {
      className: "confirm-dialog key-help",
      attrs: { id: "key-help", "aria-labelledby": "key-help-title", "aria-modal": "true" },
    },
    el("div", { className: "key-help__head" },
      el("h2", { className: "confirm-dialog__title", text: t("keys.title"), attrs: { id: "key-help-title" } }),
      this.closeButton),
    this.groups,
    el("div", { className: "key-help__setting" },
      el("div", { className: "key-help__toggle" },
        this.toggle,
        el("label", { text: t("keys.single_key"), attrs: { for: "key-help-enabled" } })),
      el("p", {
        className: "key-help__hint",
        text: t("keys.single_key_hint"),
      })));
  }

  #renderGroups(isAvailable) {
    const groups = new Map();
    for (const shortcut of this.shortcuts) {
      if (!groups.has(shortcut.group)) groups.set(shortcut.group, []);
      groups.get(shortcut.group).push(renderRow(shortcut, isAvailable(shortcut)));
    }
    return [...groups].map(([title, rows]) => el("section", { className: "key-help__group" },
      el("h3", { className: "key-help__group-title", text: t(`keys.group.${title}`) }),
      el("dl", { className: "key-help__list" }, ...rows)));
  }

  /** The modal makes the page inert, but Tab would still leave for the browser's own bar. */
  #keepTabInside(event) {
    if (event.key !== "Tab") return;
    const focusable = [this.closeButton, this.toggle];
    const edge = event.shiftKey ? focusable[0] : focusable.at(-1);
    if (document.activeElement !== edge && this.dialog.contains(document.activeElement)) return;
    event.preventDefault();
    (event.shiftKey ? focusable.at(-1) : focusable[0]).focus();
  }

  #restoreFocus() {
    const target = this.returnFocusTo;
    this.returnFocusTo = null;
    if (target?.isConnected && target !== document.body) target.focus();
  }
}

function renderRow({ name, keys }, available) {
  const description = el("dd", { className: "key-help__does", text: t(`keys.does.${name}`) });
  if (!available) description.append(el("span", { className: "key-help__unavailable", text: t("keys.unavailable") }));
  return el("div", {
    className: `key-help__row${available ? "" : " key-help__row--unavailable"}`,
    attrs: { "data-shortcut": name },
  }, el("dt", { className: "key-help__keys" }, ...renderKeys(keys)), description);
}

/** "j" and "↓" as <kbd>j</kbd> or <kbd>↓</kbd>; "Shift+E" as <kbd>Shift</kbd> + <kbd>E</kbd>. */
function renderKeys(keys) {
  const nodes = [];
  keys.forEach((combination, index) => {
    if (index > 0) nodes.push(el("span", { className: "key-help__or", text: ` ${t("keys.or")} ` }));
    combination.split(/\+(?=.)/).forEach((key, part) => {
      if (part > 0) nodes.push(" + ");
      nodes.push(renderKey(key));
    });
  });
  return nodes;
}

function renderKey(key) {
  if (!SPOKEN[key]) return el("kbd", { className: "key-help__key", text: key });
  return el("kbd", { className: "key-help__key" },
    el("span", { text: key, attrs: { "aria-hidden": "true" } }),
    el("span", { className: "sr-only", text: t(SPOKEN[key]) }));
}

function outsideBox(element, { clientX, clientY }) {
  const box = element.getBoundingClientRect();
  return clientX < box.left || clientX > box.right || clientY < box.top || clientY > box.bottom;
}
