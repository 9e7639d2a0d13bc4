// Date and time formatting for message lists and conversation lists.
// Server times are ISO 8601 UTC strings; everything shown is in local time,
// in the active language's formats (see i18n.js).

import { formatLocale, t } from "./i18n.js";

const FORMATS = {
  clock: { hour: "2-digit", minute: "2-digit" },
  weekday: { weekday: "long" },
  shortDate: { day: "numeric", month: "short" },
  longDate: { day: "numeric", month: "long", year: "numeric" },
  weekdayShort: { weekday: "short" },
  full: { dateStyle: "medium", timeStyle: "short" },
};

/** Formatters of the active locale, made once per locale and format. */
const formatters = new Map();

function format(name, date) {
  const locale = formatLocale();
  const key = `${locale}:${name}`;
  if (!formatters.has(key)) formatters.set(key, new Intl.DateTimeFormat(locale, FORMATS[name]));
  return formatters.get(key).format(date);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Parse a server time (or pass a Date through).
 * @param {string|Date|null|undefined} value
 * @returns {Date} the time, or now when the value is missing or unreadable
 */
export function toDate(value) {
  if (value instanceof Date) return value;
  const date = value ? new Date(value) : new Date();
  return Number.isNaN(date.getTime()) ? new Date() : date;
}

/**
 * Current time as the server writes it (ISO 8601, UTC, milliseconds).
 * @returns {string}
 */
export function nowIso() {
  return new Date().toISOString();
}

/**
 * Short local clock time, e.g. "14:05".
 * @param {string|Date} value
 * @returns {string}
 */
export function formatClock(value) {
  return format("clock", toDate(value));
}

/**
 * Full local date and time, for tooltips.
 * @param {string|Date} value
 * @returns {string}
 */
export function formatFull(value) {
  return format("full", toDate(value));
}

/**
 * A key that is equal for two times on the same local calendar day.
 * @param {string|Date} value
 * @returns {string}
 */
export function dayKey(value) {
  const date = toDate(value);
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

function startOfDay(date) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

function daysBetween(earlier, later) {
  return Math.round((startOfDay(later) - startOfDay(earlier)) / DAY_MS);
}

/**
 * Label for a day separator: "Today", "Yesterday", a weekday within the
 * last week, otherwise a date.
 * @param {string|Date} value
 * @param {Date} [now]
 * @returns {string}
 */
export function dayLabel(value, now = new Date()) {
  const date = toDate(value);
  const days = daysBetween(date, now);
  if (days === 0) return t("day.today");
  if (days === 1) return t("day.yesterday");
  if (days > 1 && days < 7) return format("weekday", date);
  return format("longDate", date);
}

/**
 * Compact time since an event, for lists: "now", "5 min", "3 h",
 * "Yesterday", a weekday, or a short date.
 * @param {string|Date} value
 * @param {Date} [now]
 * @returns {string}
 */
export function relativeTime(value, now = new Date()) {
  const date = toDate(value);
  const seconds = Math.max(0, (now - date) / 1000);
  if (seconds < 60) return t("time.now");
  if (seconds < 3600) return t("time.minutes", { count: Math.floor(seconds / 60) });
  const days = daysBetween(date, now);
  if (days === 0) return t("time.hours", { count: Math.floor(seconds / 3600) });
  if (days === 1) return t("day.yesterday");
  if (days < 7) return format("weekdayShort", date);
  return format("shortDate", date);
}
