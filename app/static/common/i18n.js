// Texts in the reader's language. A catalogue maps keys to texts of one
// locale, with {name} placeholders, and plural forms ({one, other}, or all of
// Arabic's zero/one/two/few/many/other) chosen by Intl.PluralRules. One
// catalogue is active per page (the widget's, or the inbox's); the shared
// modules (ticks, day separators, typing line) read it through t(). English
// is the fallback for a key a catalogue lacks, so nothing shows blank.

const RTL_LANGUAGES = new Set(["ar", "fa", "he", "ps", "ur", "yi", "dv", "ckb"]);

const active = {
  locale: "en",
  formatLocale: "en",
  messages: {},
  fallback: {},
  plurals: new Intl.PluralRules("en"),
  numbers: new Intl.NumberFormat("en"),
};

const listeners = new Set();

/**
 * The text of a key in the active language.
 * @param {string} key
 * @param {Record<string, string|number>} [params] values of the {placeholders};
 *   `count` also chooses the plural form
 * @returns {string}
 */
export function t(key, params = {}) {
  let text = active.messages[key] ?? active.fallback[key] ?? key;
  if (typeof text === "object" && text !== null) {
    const category = active.plurals.select(Number(params.count ?? 0));
    text = text[category] ?? text.other ?? key;
  }
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? formatValue(params[name]) : match));
}

function formatValue(value) {
  return typeof value === "number" ? active.numbers.format(value) : String(value);
}

/** @returns {string} the active catalogue's locale, e.g. "es" */
export function currentLocale() {
  return active.locale;
}

/** @returns {string} the locale for dates and numbers, e.g. "es-MX" for a Mexican browser */
export function formatLocale() {
  return active.formatLocale;
}

/**
 * Which way a language's text runs.
 * @param {string} [locale] a BCP 47 code; the active one by default
 * @returns {"rtl"|"ltr"}
 */
export function textDirection(locale = active.locale) {
  return RTL_LANGUAGES.has(baseLanguage(locale)) ? "rtl" : "ltr";
}

/**
 * Make a catalogue the active one and tell those who listen.
 * @param {string} locale
 * @param {Record<string, string|object>} messages
 * @param {Record<string, string|object>} [fallback] the English catalogue
 * @param {readonly string[]} [regional] the reader's languages: one of the same
 *   language as the catalogue ("en-GB") sets the date and number formats
 */
export function useCatalogue(locale, messages, fallback = {}, regional = []) {
  active.locale = locale;
  active.formatLocale = sameLanguage(locale, regional);
  active.messages = messages;
  active.fallback = fallback;
  active.plurals = new Intl.PluralRules(locale);
  active.numbers = new Intl.NumberFormat(active.formatLocale);
  for (const listener of listeners) listener(locale);
}

/**
 * Call back whenever the active catalogue changes.
 * @param {(locale: string) => void} listener
 * @returns {() => void} stops listening
 */
export function onLocaleChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function baseLanguage(tag) {
  return String(tag || "").toLowerCase().split(/[-_]/)[0];
}

function sameLanguage(locale, regional) {
  for (const tag of regional) {
    if (typeof tag !== "string" || baseLanguage(tag) !== baseLanguage(locale)) continue;
    try {
      return Intl.getCanonicalLocales(tag)[0];
    } catch {
      // Not a valid tag: look further.
    }
  }
  return locale;
}

/**
 * The best available locale for a list of wanted ones, in order of
 * preference: an exact match, else the same language ("es-MX" gets "es").
 * @param {Array<string|null|undefined>} wanted e.g. [data-locale, ...navigator.languages]
 * @param {string[]} available e.g. ["en", "es", "ar"]
 * @param {string} [fallback]
 * @returns {string}
 */
export function pickLocale(wanted, available, fallback = "en") {
  const byCode = new Map(available.map((code) => [code.toLowerCase(), code]));
  for (const tag of wanted) {
    if (typeof tag !== "string" || !tag.trim()) continue;
    const code = tag.trim().replace("_", "-").toLowerCase();
    const found = byCode.get(code) ?? byCode.get(baseLanguage(code));
    if (found) return found;
  }
  return fallback;
}
