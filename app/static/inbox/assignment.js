// Who answers the open conversation, and whether this agent takes chats:
// the header's "Assigned to …" line with Claim, Assign to… (a menu of the
// agents with an available / away / offline dot) and Unassign, and the top
// bar's Available switch. The agents come from GET /api/v1/agents and the
// `agents` event; the assignee from the conversation summaries.

import { t } from "../common/i18n.js";
import { el } from "../common/dom.js";

const STATUS_TEXT = { available: "agent.available", away: "agent.away", offline: "presence.offline" };

/**
 * @param {{available: boolean, online: boolean}} agent
 * @returns {"available"|"away"|"offline"}
 */
function statusOf(agent) {
  if (!agent.online) return "offline";
  return agent.available ? "available" : "away";
}

/** All agents, with their availability and whether they are connected. */
async function fetchAgents() {
  const response = await fetch("/api/v1/agents", {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  if (!response.ok) throw new Error(t("assignment.agents_failed", { status: response.status }));
  const data = await response.json();
  return Array.isArray(data.agents) ? data.agents : [];
}

export class AssignmentControls {
  /**
   * @param {object} options
   * @param {import("../common/connection.js").ChatConnection} options.connection
   * @param {import("./list.js").ConversationList} options.list
   * @param {import("./toast.js").Toast} options.toast
   * @param {(summary: object) => void} options.onAnswer a fresh summary the server answered with
   */
  constructor({ connection, list, toast, onAnswer }) {
    this.connection = connection;
    this.list = list;
    this.toast = toast;
    this.onAnswer = onAnswer;
    // The top bar's name of the agent (the body carries data-agent-id too).
    const me = document.querySelector(".topbar__agent[data-agent-id]");
    this.myId = Number(me?.dataset.agentId) || null;
    /** @type {object[]} */
    this.agents = [];
    this.conversationId = null;
    this.#buildHeader(document.querySelector(".conversation__actions"));
    this.#buildSwitch(me);
  }

  /** After every (re)connection: the agents as they are now. */
  async load() {
    try {
      this.onAgents({ agents: await fetchAgents() });
    } catch {
      // The next `agents` event brings them.
    }
  }

  /** @param {{agents: object[]}} payload an `agents` event */
  onAgents({ agents }) {
    this.agents = Array.isArray(agents) ? agents : [];
    const mine = this.agents.find((agent) => agent.id === this.myId);
    if (mine) this.#showAvailability(Boolean(mine.available));
    if (this.menu && !this.menu.hidden) this.#fillMenu();
  }

  /** @param {number|null} id the open conversation */
  setConversation(id) {
    this.#closeMenu(false);
    this.conversationId = id;
    this.#render();
  }

  /** @param {object} summary a fresh conversation summary */
  onSummary(summary) {
    if (summary.id === this.conversationId) this.#render();
  }

  // --- the header ---------------------------------------------------------------

  #buildHeader(actions) {
    const button = (text, key) => el("button", {
      className: "button button--quiet button--small", text,
      attrs: { type: "button", "data-key-action": key },
    });
    this.status = el("span", { className: "assignment__status", attrs: { "aria-live": "polite" } });
    this.claimButton = button(t("assignment.claim"), "claim");
    this.claimButton.title = t("assignment.claim_hint");
    this.assignButton = button(t("assignment.assign_to"), "assign");
    this.assignButton.setAttribute("aria-haspopup", "menu");
    this.assignButton.setAttribute("aria-expanded", "false");
    this.assignButton.id = "assign-menu-button";
    this.unassignButton = button(t("assignment.unassign"), "unassign");
    this.menu = el("ul", {
      className: "assign-menu",
      attrs: { role: "menu", id: "assign-menu", "aria-labelledby": "assign-menu-button" },
    });
    this.menu.hidden = true;
    this.assignButton.setAttribute("aria-controls", "assign-menu");
    const menuHolder = el("div", { className: "assignment__menu" }, this.assignButton, this.menu);
    // The buttons wrap together where the header is narrow.
    const buttons = el("div", { className: "assignment__buttons" }, this.claimButton, menuHolder, this.unassignButton);
    this.element = el("div", { className: "assignment" }, buttons);
    actions.prepend(this.element);
    // Who has it is said under the name, beside its state, leaving the
    // buttons the header's width.
    document.getElementById("conversation-email").before(this.status);
    this.claimButton.addEventListener("click", () => this.#request("claim", {}));
    this.unassignButton.addEventListener("click", () => this.#request("unassign", {}));
    this.assignButton.addEventListener("click", () => (this.menu.hidden ? this.#openMenu() : this.#closeMenu()));
    this.menu.addEventListener("keydown", (event) => this.#onMenuKey(event));
    document.addEventListener("click", (event) => {
      if (!menuHolder.contains(event.target)) this.#closeMenu(false);
    });
  }

  #render() {
    const summary = this.conversationId === null ? null : this.list.get(this.conversationId);
    const assignee = summary?.assignee || null;
    const ended = summary?.state === "ended" || summary?.status === "closed";
    const mine = assignee !== null && assignee.id === this.myId;
    this.status.textContent = assignee === null ? t("assignment.unassigned")
      : mine ? t("assignment.assigned_to_you") : t("assignment.assigned_to", { name: assignee.name });
    this.status.classList.toggle("assignment__status--none", assignee === null);
    this.status.title = mine ? t("assignment.assigned_to_you_named", { name: assignee.name }) : "";
    this.claimButton.hidden = ended || mine;
    this.assignButton.hidden = ended;
    this.unassignButton.hidden = ended || assignee === null;
  }

  async #request(event, fields) {
    const id = this.conversationId;
    if (id === null) return;
    const ack = await this.connection.request(event, { conversation_id: id, ...fields });
    if (!ack.ok) {
      this.toast.show(t(`assignment.failed.${event}`, { reason: ack.error?.message || t("error.unknown") }));
      return;
    }
    if (ack.conversation) this.onAnswer(ack.conversation);
  }

  // --- the "Assign to…" menu -------------------------------------------------------

  #openMenu() {
    this.#fillMenu();
    this.menu.hidden = false;
    this.assignButton.setAttribute("aria-expanded", "true");
    (this.menu.querySelector("[aria-checked='true']") || this.menu.querySelector("button"))?.focus();
  }

  #closeMenu(returnFocus = true) {
    if (!this.menu || this.menu.hidden) return;
    this.menu.hidden = true;
    this.assignButton.setAttribute("aria-expanded", "false");
    if (returnFocus) this.assignButton.focus();
  }

  #fillMenu() {
    const assignee = this.list.get(this.conversationId)?.assignee || null;
    const items = this.agents.map((agent) => {
      const status = statusOf(agent);
      const item = el("button", {
        className: "assign-menu__item",
        attrs: { type: "button", role: "menuitemradio", "aria-checked": String(assignee?.id === agent.id), tabindex: "-1" },
      },
      el("span", { className: `agent-dot agent-dot--${status}`, attrs: { "aria-hidden": "true" } }),
      el("span", { className: "assign-menu__name", text: agent.id === this.myId ? `${agent.name} (you)` : agent.name }),
      el("span", { className: "assign-menu__status", text: t(STATUS_TEXT[status]) }));
      item.addEventListener("click", () => {
        this.#closeMenu();
        this.#request("assign", { agent_id: agent.id });
      });
      return el("li", { attrs: { role: "none" } }, item);
    });
    if (!items.length) items.push(el("li", { className: "assign-menu__empty", attrs: { role: "none" }, text: t("assignment.no_agents") }));
    this.menu.replaceChildren(...items);
  }

  #onMenuKey(event) {
    const items = [...this.menu.querySelectorAll("button")];
    const index = items.indexOf(document.activeElement);
    const moves = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: items.length - 1 };
    if (event.key in moves && items.length) {
      event.preventDefault();
      items[(moves[event.key] + items.length) % items.length].focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      this.#closeMenu();
    } else if (event.key === "Tab") {
      this.#closeMenu(false);
    }
  }

  // --- the availability switch ----------------------------------------------------------

  #buildSwitch(beside) {
    this.switch = el("button", {
      className: "availability",
      attrs: { type: "button", role: "switch", "aria-checked": "true", id: "availability-switch" },
    },
    el("span", { className: "availability__track", attrs: { "aria-hidden": "true" } },
      el("span", { className: "availability__thumb" })),
    el("span", { className: "availability__label", text: t("agent.available") }));
    this.switch.hidden = true; // until the server says which it is
    this.switch.addEventListener("click", () => this.#toggleAvailability());
    if (beside) beside.before(this.switch);
  }

  #showAvailability(available) {
    this.switch.hidden = false;
    this.switch.setAttribute("aria-checked", String(available));
    this.switch.title = available
      ? t("agent.available_hint")
      : t("agent.away_hint");
  }

  async #toggleAvailability() {
    const available = this.switch.getAttribute("aria-checked") !== "true";
    this.#showAvailability(available);
    const ack = await this.connection.request("set_availability", { available });
    if (!ack.ok) {
      this.#showAvailability(!available);
      this.toast.show(t("agent.availability_failed", { reason: ack.error?.message || t("error.unknown") }));
    }
  }
}
