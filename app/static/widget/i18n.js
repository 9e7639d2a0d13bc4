// The widget's languages: which ship, which one a visitor gets (the embed's
// data-locale, else the browser's languages, else English), and loading a
// catalogue (the shared texts of common/locales plus the widget's own).
// English is built in, so the widget has words before any other loads.

import commonEnglish from "../common/locales/en.js";
import { pickLocale, useCatalogue } from "../common/i18n.js";
import widgetEnglish from "./locales/en.js";

/** The locales that ship, each with a file in common/locales and widget/locales. */
export const WIDGET_LOCALES = ["en", "es", "ar"];

const ENGLISH = { ...commonEnglish, ...widgetEnglish };

useCatalogue("en", ENGLISH, ENGLISH, navigatorLanguages());

/**
 * The locale for a visitor.
 * @param {string|null|undefined} requested the site's choice (data-locale or setLocale)
 * @param {readonly string[]} [browserLanguages] navigator.languages
 * @returns {string} one of WIDGET_LOCALES
 */
export function chooseWidgetLocale(requested, browserLanguages = navigatorLanguages()) {
  return pickLocale([requested, ...browserLanguages], WIDGET_LOCALES);
}

function navigatorLanguages() {
  if (navigator.languages?.length) return navigator.languages;
  return navigator.language ? [navigator.language] : [];
}

/**
 * Load a shipped locale's texts and make them the active ones.
 * @param {string} locale one of WIDGET_LOCALES
 * @returns {Promise<string>} the locale now active
 */
export async function loadWidgetLocale(locale) {
  if (!WIDGET_LOCALES.includes(locale) || locale === "en") {
    useCatalogue("en", ENGLISH, ENGLISH, navigatorLanguages());
    return "en";
  }
  // Only listed codes reach the import, so a page cannot load other files.
  const [common, own] = await Promise.all([
    import(`../common/locales/${locale}.js`),
    import(`./locales/${locale}.js`),
  ]);
  useCatalogue(locale, { ...common.default, ...own.default }, ENGLISH, navigatorLanguages());
  return locale;
}
