// Activity lines and private notes in the open conversation's timeline:
// what each kind of line says, and the lines of one conversation kept in
// order, each built once. Agents only: the widget never sees any of this.

import { formatLocale, t } from "../common/i18n.js";
import { el } from "../common/dom.js";
import { appendLinkified } from "../common/render.js";
import { formatClock, formatFull, toDate } from "../common/time.js";
import { describeRating, parseRatedBody } from "./rating.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const WHEN_FORMAT = { weekday: "short", hour: "numeric", minute: "2-digit" };
const DATE_FORMAT = { day: "numeric", month: "short", hour: "numeric", minute: "2-digit" };
const WEEK_MS = 6 * 24 * 60 * 60 * 1000;

/**
 * A snooze's end as people say it: "Tue 9:00" within the week, else "12 Dec, 9:00".
 * @param {string} value ISO time
 * @returns {string}
 */
export function formatWhen(value) {
  const date = toDate(value);
  return new Intl.DateTimeFormat(formatLocale(), date - Date.now() < WEEK_MS ? WHEN_FORMAT : DATE_FORMAT).format(date);
}

const name = (person) => person?.name || t("typing.someone");

/**
 * What a line says, by kind. The actor is null when the desk did it (the
 * visitor's message, a snooze that ended). Kinds not listed say their name.
 */
const SENTENCES = {
  resolved: (line) => (line.actor ? t("activity.resolved_by", { name: name(line.actor) }) : t("state.resolved")),
  reopened: (line) => {
    if (line.actor) return t("activity.reopened_by", { name: name(line.actor) });
    return t(line.body === "snooze ended" ? "activity.reopened_snooze_ended" : "activity.reopened_by_visitor");
  },
  snoozed: (line) => t("activity.snoozed_by", { name: name(line.actor), when: formatWhen(line.body) }),
  assigned: (line) => {
    if (line.actor && line.actor.name === line.subject) return t("activity.claimed_by", { name: line.actor.name });
    // No actor: the desk's automatic assignment (docs/protocol.md).
    return line.actor ? t("activity.assigned_by", { name: line.actor.name, assignee: line.subject })
      : t("activity.assigned_automatically", { assignee: line.subject });
  },
  claimed: (line) => t("activity.claimed_by", { name: name(line.actor) }),
  unassigned: (line) => (line.actor ? t("activity.unassigned_by", { name: line.actor.name }) : t("assignment.unassigned")),
  rated: (line) => describeRating(parseRatedBody(line.body), "activity.rated"),
};

/**
 * The sentence of an activity line, e.g. "Tess resolved this".
 * @param {object} line a protocol activity line
 * @returns {string}
 */
export function describeLine(line) {
  const sentence = SENTENCES[line.kind];
  return sentence ? sentence(line) : `${line.actor ? `${line.actor.name}: ` : ""}${line.kind}`;
}

/**
 * A decorative 16 px line icon, drawn in currentColor.
 * @param {string[]} paths
 * @param {string} className
 * @returns {SVGSVGElement}
 */
export function lineIcon(paths, className) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const d of paths) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

export const LOCK = ["M4.5 7.5h7v6h-7z", "M6 7.5V5.5a2 2 0 0 1 4 0v2"];
const lockIcon = () => lineIcon(LOCK, "note__lock");

function timeElement(createdAt) {
  return el("time", { text: formatClock(createdAt), attrs: { datetime: createdAt || "", title: formatFull(createdAt) } });
}

/**
 * A centred grey line: "Tess resolved this · 10:42".
 * @param {object} line
 * @returns {HTMLElement}
 */
function buildEvent(line) {
  return el("div", { className: "activity-line", attrs: { "data-kind": line.kind } },
    el("span", { className: "activity-line__text" }, `${describeLine(line)} · `, timeElement(line.created_at)));
}

/**
 * A private note: amber, with a lock and a label that says who sees it.
 * @param {object} line
 * @returns {HTMLElement}
 */
function buildNote(line) {
  const body = el("p", { className: "note__body" });
  appendLinkified(body, line.body || "");
  return el("div", { className: "note", attrs: { "data-kind": "note" } },
    el("div", { className: "note__card" },
      el("p", { className: "note__label" }, lockIcon(), t("note.label")),
      body,
      el("p", { className: "note__meta" }, `${name(line.actor)} · `, timeElement(line.created_at))));
}

/**
 * @param {object} line
 * @returns {HTMLElement}
 */
export function buildLine(line) {
  return line.kind === "note" ? buildNote(line) : buildEvent(line);
}

/** The lines of one conversation, in timeline order, each element built once. */
export class ActivityLines {
  constructor() {
    /** @type {Map<number, {line: object, element: HTMLElement}>} */
    this.byId = new Map();
  }

  /**
   * Add lines (from an ack or an event); a line already known is kept.
   * @param {object[]|undefined} lines
   * @returns {boolean} whether any was new
   */
  addAll(lines) {
    let added = false;
    for (const line of lines || []) {
      if (!Number.isInteger(line?.id) || this.byId.has(line.id)) continue;
      this.byId.set(line.id, { line, element: buildLine(line) });
      added = true;
    }
    return added;
  }

  /**
   * The lines to show with the loaded messages, in order: those before the
   * oldest loaded message only when nothing older is left to load (the
   * page before brings them otherwise).
   * @param {number|null} oldestSeq
   * @param {boolean} hasOlder
   * @returns {{after_seq: number, element: HTMLElement}[]}
   */
  entries(oldestSeq, hasOlder) {
    const entries = [];
    for (const { line, element } of this.byId.values()) {
      if (hasOlder && oldestSeq !== null && line.after_seq < oldestSeq) continue;
      entries.push({ after_seq: line.after_seq, id: line.id, element });
    }
    return entries.sort((a, b) => a.after_seq - b.after_seq || a.id - b.id);
  }
}
