// Spanish texts of the inbox's scripts (see en.js).
export default {
  "connection.connecting": "Conectando…",
  "connection.reconnecting": "Reconectando…"
};
