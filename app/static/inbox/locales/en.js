// English texts of the inbox's scripts, and the fallback for every other
// locale. Every locale's file has the same keys (tests/test_i18n_catalogues.py
// checks); a plural text is an object of Intl.PluralRules categories. The
// body between `export default` and the final semicolon is plain JSON.
export default {
  "connection.connecting": "Connecting…",
  "connection.reconnecting": "Reconnecting…"
};
