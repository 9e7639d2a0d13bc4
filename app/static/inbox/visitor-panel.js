// The side panel of the open conversation: who the visitor is (the signed
// contact or what the pre-chat form said), their past conversations, and
// the context their browser gave: page, referrer, browser and OS, local
// time, language and how long they have been on the site. Everything the
// visitor sent is shown as text; only http(s) addresses become links.

import { el } from "../common/dom.js";
import { formatLocale, t } from "../common/i18n.js";
import { safeLink } from "../common/render.js";
import { relativeTime } from "../common/time.js";
import { contactDataActions } from "./contact-data.js";
import { describePage, visitorName } from "./format.js";

const CLOCK_TICK_MS = 30_000;
const STATE_KEYS = { open: "state.open", snoozed: "state.snoozed", resolved: "state.resolved", ended: "state.ended" };
// At least this wide, the panel is a column of its own; narrower, a drawer.
const WIDE = window.matchMedia("(min-width: 1180px)");

/**
 * @param {number} id
 * @returns {Promise<object>} the visitor's profile (GET /api/v1/conversations/ID/visitor)
 */
async function fetchProfile(id) {
  const response = await fetch(`/api/v1/conversations/${encodeURIComponent(id)}/visitor`, {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

export class VisitorPanel {
  /**
   * @param {{columns: HTMLElement, actions: HTMLElement, onOpen: (id: number) => void}} options
   *   columns: the inbox's grid; actions: the conversation header's buttons
   */
  constructor({ columns, actions, onOpen }) {
    this.onOpen = onOpen;
    this.openId = null;
    this.profile = null;
    this.loading = 0;
    this.body = el("div", { className: "details__body" });
    this.status = el("p", { className: "details__status", attrs: { role: "status" } });
    this.closeButton = el("button", {
      className: "button button--icon details__close",
      attrs: { type: "button", "aria-label": t("details.close") },
    }, el("span", { text: "×", attrs: { "aria-hidden": "true" } }));
    this.root = el("aside", {
      className: "details",
      attrs: { id: "visitor-details", "aria-labelledby": "visitor-details-title" },
    },
    el("div", { className: "details__header" },
      el("h2", { className: "details__title", text: t("details.title"), attrs: { id: "visitor-details-title" } }),
      this.closeButton),
    this.status, this.body);
    this.root.hidden = true;
    columns.append(this.root);
    columns.classList.add("inbox__columns--details");
    this.toggle = el("button", {
      className: "button button--quiet button--small details-toggle",
      attrs: {
        type: "button", "aria-label": t("details.toggle_label"), "aria-controls": "visitor-details",
        "aria-expanded": "false", title: t("details.toggle_title"),
      },
    }, personIcon(), el("span", { className: "conversation__action-label", text: t("details.toggle") }));
    actions.prepend(this.toggle);
    this.toggle.addEventListener("click", () => this.#setDrawer(!this.drawerOpen));
    this.closeButton.addEventListener("click", () => {
      this.#setDrawer(false);
      this.toggle.focus();
    });
    this.root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.drawerOpen) {
        event.stopPropagation();
        this.#setDrawer(false);
        this.toggle.focus();
      }
    });
    this.drawerOpen = false;
    WIDE.addEventListener("change", () => this.#layout());
    this.clock = setInterval(() => this.#tick(), CLOCK_TICK_MS);
  }

  /**
   * Show the visitor of this conversation (null: none is open).
   * @param {number|null} id
   */
  show(id) {
    if (id === this.openId) return;
    this.openId = id;
    this.profile = null;
    this.body.replaceChildren();
    this.#setDrawer(false);
    this.#layout();
    if (id !== null) this.refresh();
  }

  /**
   * A summary came: read the profile again when the visitor moved to another
   * page, came back (the context is what their browser said on connecting)
   * or was identified (a new name or email).
   * @param {object} summary
   */
  onSummary(summary) {
    if (summary.id !== this.openId || !this.profile) return;
    const { context, visitor } = this.profile;
    const renamed = (summary.visitor?.name ?? null) !== visitor.name || (summary.visitor?.email ?? null) !== visitor.email;
    if (renamed || summary.page_url !== context.page_url || (summary.visitor_online && !this.wasOnline)) this.refresh();
    this.wasOnline = summary.visitor_online;
  }

  async refresh() {
    const id = this.openId;
    const ticket = ++this.loading;
    if (!this.profile) this.status.textContent = t("details.loading");
    try {
      const profile = await fetchProfile(id);
      if (ticket !== this.loading || id !== this.openId) return;
      this.profile = profile;
      this.status.textContent = "";
      this.#render();
    } catch (error) {
      if (ticket === this.loading) this.status.textContent = t("details.load_failed", { reason: error.message });
    }
  }

  get #visible() {
    return this.openId !== null && (WIDE.matches || this.drawerOpen);
  }

  #layout() {
    this.root.hidden = !this.#visible;
    this.root.classList.toggle("details--drawer", !WIDE.matches);
    this.toggle.hidden = this.openId === null || WIDE.matches;
  }

  #setDrawer(open) {
    this.drawerOpen = open;
    this.toggle.setAttribute("aria-expanded", String(open));
    this.#layout();
    if (open && !WIDE.matches) this.closeButton.focus();
  }

  #render() {
    const { visitor, contact, past_conversations: past, context } = this.profile;
    this.body.replaceChildren(
      who(visitor, contact, this.openId),
      contextSection(context),
      pastSection(past, (id) => {
        this.#setDrawer(false);
        this.onOpen(id);
      }),
    );
  }

  /** Keep the visitor's local time and time on the site current. */
  #tick() {
    if (!this.profile || this.root.hidden) return;
    const context = this.profile.context;
    const clock = this.body.querySelector("[data-fact=time]");
    if (clock) clock.textContent = localTime(context.time_zone);
    const since = this.body.querySelector("[data-fact=since]");
    if (since) since.textContent = timeOnSite(context.first_seen_at);
  }
}

function personIcon() {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "button__icon");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const head = document.createElementNS(svg.namespaceURI, "circle");
  head.setAttribute("cx", "8");
  head.setAttribute("cy", "5.5");
  head.setAttribute("r", "2.5");
  const body = document.createElementNS(svg.namespaceURI, "path");
  body.setAttribute("d", "M3 13.5c.6-2.6 2.6-4 5-4s4.4 1.4 5 4");
  svg.append(head, body);
  return svg;
}

function who(visitor, contact, id) {
  const name = contact?.name || visitor.name || visitorName({ id, visitor });
  const email = contact?.email || visitor.email;
  const badge = el("span", { className: "details__badge" });
  if (contact) {
    badge.classList.add("details__badge--verified");
    Object.assign(badge, { textContent: t("details.verified"), title: t("details.verified_title") });
  } else if (visitor.name || visitor.email) {
    Object.assign(badge, { textContent: t("details.not_verified"), title: t("details.not_verified_title") });
  } else {
    Object.assign(badge, { textContent: t("details.anonymous"), title: t("details.anonymous_title") });
  }
  return el("section", { className: "details__section details__who", attrs: { "aria-label": t("details.contact") } },
    el("p", { className: "details__name" }, el("span", { text: name }), badge),
    email ? el("p", { className: "details__email", text: email }) : null,
    contact ? el("p", { className: "details__meta", text: t("details.user_id", { id: contact.user_id }) }) : null,
    contactDataActions(contact));
}

function contextSection(context) {
  const facts = [
    [t("details.page"), pageFact(context.page_url, context.page_title)],
    [t("details.referrer"), pageFact(context.referrer)],
    [t("details.browser"), browserFact(context.browser, context.os)],
    [t("details.local_time"), context.time_zone ? localTime(context.time_zone) : null, "time"],
    [t("details.language"), context.language ? languageName(context.language) : null],
    [t("details.on_site"), context.first_seen_at ? timeOnSite(context.first_seen_at) : null, "since"],
  ].filter(([, value]) => value);
  const list = el("dl", { className: "details__facts" });
  for (const [label, value, key] of facts) {
    const dd = el("dd", key ? { attrs: { "data-fact": key } } : {});
    dd.append(value);
    list.append(el("dt", { text: label }), dd);
  }
  return el("section", { className: "details__section", attrs: { "aria-labelledby": "details-context" } },
    el("h3", { className: "details__heading", text: t("details.context"), attrs: { id: "details-context" } }),
    facts.length ? list : el("p", { className: "details__empty", text: t("details.context_empty") }));
}

function pageFact(address, title = null) {
  const page = describePage(address);
  if (!page) return null;
  const fragment = document.createDocumentFragment();
  const link = safeLink(page.href, title || page.text);
  fragment.append(link || page.text);
  if (title) fragment.append(el("span", { className: "details__sub", text: page.text }));
  return fragment;
}

function browserFact(browser, os) {
  if (browser && os) return t("details.browser_on_os", { browser, os });
  return browser || os || null;
}

function localTime(timeZone) {
  try {
    const time = new Intl.DateTimeFormat(formatLocale(), { timeZone, hour: "2-digit", minute: "2-digit", timeZoneName: "short" }).format(new Date());
    return `${time} · ${timeZone.replaceAll("_", " ")}`;
  } catch {
    return timeZone;
  }
}

function languageName(tag) {
  try {
    const name = new Intl.DisplayNames(formatLocale(), { type: "language" }).of(tag);
    return name && name !== tag ? `${name} (${tag})` : tag;
  } catch {
    return tag;
  }
}

function timeOnSite(firstSeenAt) {
  const minutes = Math.max(0, Math.floor((Date.now() - new Date(firstSeenAt)) / 60_000));
  if (minutes < 1) return t("details.under_a_minute");
  if (minutes < 60) return t("time.minutes", { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t("wait.hours_minutes", { hours, minutes: minutes % 60 });
  const date = new Date(firstSeenAt).toLocaleDateString(formatLocale());
  return t("details.days_since", { count: Math.floor(hours / 24), date });
}

function pastSection(past, onOpen) {
  const section = el("section", { className: "details__section", attrs: { "aria-labelledby": "details-past" } },
    el("h3", { className: "details__heading", text: past.length ? t("details.past_count", { count: past.length }) : t("details.past"), attrs: { id: "details-past" } }));
  if (!past.length) {
    section.append(el("p", { className: "details__empty", text: t("details.none") }));
    return section;
  }
  const list = el("ul", { className: "details__past" });
  for (const conversation of past) {
    const button = el("button", { className: "details__past-item", attrs: { type: "button", "data-conversation-id": String(conversation.id) } },
      el("span", { className: "details__past-top" },
        el("span", { className: `status-pill status-pill--${conversation.state}`, text: STATE_KEYS[conversation.state] ? t(STATE_KEYS[conversation.state]) : conversation.state }),
        el("time", { className: "details__past-time", text: relativeTime(conversation.last_activity_at), attrs: { datetime: conversation.last_activity_at } })),
      el("span", { className: "details__past-preview", text: conversation.last_message?.body || t("details.no_messages") }));
    button.addEventListener("click", () => onOpen(conversation.id));
    list.append(el("li", {}, button));
  }
  section.append(list);
  return section;
}
