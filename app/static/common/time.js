// Date and time formatting for message lists and conversation lists.
// Server times are ISO 8601 UTC strings; everything shown is in local time.

const clockFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long" });
const shortDateFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const longDateFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "long", year: "numeric" });
const weekdayShortFormat = new Intl.DateTimeFormat(undefined, { weekday: "short" });

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
  return clockFormat.format(toDate(value));
}

/**
 * Full local date and time, for tooltips.
 * @param {string|Date} value
 * @returns {string}
 */
export function formatFull(value) {
  return toDate(value).toLocaleString();
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
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  if (days > 1 && days < 7) return weekdayFormat.format(date);
  return longDateFormat.format(date);
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
  if (seconds < 60) return "now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  const days = daysBetween(date, now);
  if (days === 0) return `${Math.floor(seconds / 3600)} h`;
  if (days === 1) return "Yesterday";
  if (days < 7) return weekdayShortFormat.format(date);
  return shortDateFormat.format(date);
}
