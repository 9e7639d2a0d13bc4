/*
 * Live chat widget loader, served as /widget.js.
 *
 * Embed on any page with one line:
 *   <script src="https://chat.example.com/widget.js" defer
 *           data-title="Chat with us" data-color="#2563eb"
 *           data-greeting="Hi! How can we help?"></script>
 *
 * Optional attributes: data-position="left" (default right) and
 * data-transport="polling" (HTTP long-polling only; the host page URL
 * parameter ?transport=polling does the same).
 *
 * A site whose visitor is logged in identifies them, before this script,
 * with a signature its server computes (see docs/identity.md):
 *   window.LiveChat = {identity: {user_id: "42", name: "Ana",
 *                      email: "ana@example.com", user_hash: "<hex HMAC-SHA256>"}};
 *
 * The widget lives in a shadow root so the host page's styles and ours
 * cannot affect each other. This is a classic script so it can read
 * document.currentScript; the widget itself is loaded as ES modules from the
 * chat server's origin, which may differ from the host page's.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src) return;
  if (document.querySelector("[data-livechat-widget]")) return; // embedded twice

  var serverUrl = new URL(script.src, document.baseURI).origin;
  var data = script.dataset;

  function hostPageWantsPolling() {
    try {
      return new URLSearchParams(window.location.search).get("transport") === "polling";
    } catch (error) {
      return false;
    }
  }

  var options = {
    serverUrl: serverUrl,
    title: data.title,
    color: data.color,
    greeting: data.greeting,
    position: data.position,
    transport: hostPageWantsPolling() ? "polling" : data.transport,
    identity: window.LiveChat && window.LiveChat.identity,
  };

  // The conversation's shared styles first, so that the widget's own can refine them.
  var STYLESHEETS = ["/static/common/conversation.css", "/static/widget/widget.css"];

  function stylesheetLink(path) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = serverUrl + path;
    return link;
  }

  function whenStylesheetLoads(link) {
    return new Promise(function (resolve) {
      link.addEventListener("load", resolve, { once: true });
      link.addEventListener("error", resolve, { once: true });
    });
  }

  function start() {
    var host = document.createElement("div");
    host.setAttribute("data-livechat-widget", "");
    var shadowRoot = host.attachShadow({ mode: "open" });

    var stylesheets = STYLESHEETS.map(stylesheetLink);
    stylesheets.forEach(function (link) {
      shadowRoot.appendChild(link);
    });
    document.body.appendChild(host);

    // Mount once both the code and the styles are in, so nothing shows unstyled.
    Promise.all([import(serverUrl + "/static/widget/app.js")].concat(stylesheets.map(whenStylesheetLoads)))
      .then(function (results) {
        results[0].mount(shadowRoot, options);
      })
      .catch(function (error) {
        console.error("Live chat widget could not load:", error);
        host.remove();
      });
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
})();
