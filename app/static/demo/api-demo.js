// The API demo page (/demo/api): a host page that uses every call of
// window.LiveChat. It runs before /widget.js, as a site's own script would:
// the stub queues calls until the widget is up.

window.LiveChat = window.LiveChat || function () {
  (window.LiveChat.q = window.LiveChat.q || []).push(arguments);
};

(function () {
  "use strict";

  var EVENTS = ["ready", "open", "close", "message", "unread"];

  function logEvent(name, detail) {
    var list = document.getElementById("api-events");
    var item = document.createElement("li");
    item.dataset.event = name;
    item.textContent = name + " " + JSON.stringify(detail);
    list.prepend(item);
    if (name === "unread") document.getElementById("api-unread").textContent = String(detail.count);
  }

  // Queued now, registered as soon as widget.js runs: "ready" is heard too.
  EVENTS.forEach(function (name) {
    window.LiveChat("on", name, function (detail) {
      logEvent(name, detail);
    });
  });

  function bind() {
    document.querySelectorAll("[data-call]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.LiveChat[button.dataset.call]();
      });
    });
    document.getElementById("api-locale").addEventListener("change", function (event) {
      window.LiveChat.setLocale(event.target.value || null);
    });
    document.getElementById("api-identify").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = new FormData(event.target);
      window.LiveChat.identify({
        user_id: form.get("user_id"),
        name: form.get("name"),
        email: form.get("email"),
        user_hash: form.get("user_hash"),
      });
    });
  }

  document.addEventListener("DOMContentLoaded", bind, { once: true });
})();
