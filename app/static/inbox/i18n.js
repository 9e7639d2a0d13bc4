// The language of the agents' pages (inbox and admin): the one the server
// chose for the page (Flask-Babel, from the agent's choice or browser), read
// from <html lang>, so the page's server-rendered and script-made texts
// agree. Import this module first: it activates the catalogue (the shared
// texts of common/locales plus the inbox's own) before any text is made.

import commonEnglish from "../common/locales/en.js";
import { pickLocale, useCatalogue } from "../common/i18n.js";
import inboxEnglish from "./locales/en.js";

/** The locales that ship, each with a file in common/locales and inbox/locales. */
export const INBOX_LOCALES = ["en", "es", "ar"];

const ENGLISH = { ...commonEnglish, ...inboxEnglish };
const browserLanguages = navigator.languages?.length ? navigator.languages : [navigator.language];
const locale = pickLocale([document.documentElement.lang], INBOX_LOCALES);

if (locale === "en") {
  useCatalogue("en", ENGLISH, ENGLISH, browserLanguages);
} else {
  // Only listed codes reach the import, so a page cannot load other files.
  const [common, own] = await Promise.all([
    import(`../common/locales/${locale}.js`),
    import(`./locales/${locale}.js`),
  ]);
  useCatalogue(locale, { ...common.default, ...own.default }, ENGLISH, browserLanguages);
}
