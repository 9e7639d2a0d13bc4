// Arabic texts of the inbox's scripts (see en.js).
export default {
  "connection.connecting": "جارٍ الاتصال…",
  "connection.reconnecting": "جارٍ إعادة الاتصال…"
};
