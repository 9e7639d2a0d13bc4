/*
 * Live chat widget loader, served as /widget.js.
 *
 * Embed on any page with one line:
 *   <script src="https://chat.example.com/widget.js" defer
 *           data-title="Chat with us" data-color="#2563eb"
 *           data-greeting="Hi! How can we help?"></script>
 *
 * Optional attributes: data-position="left" or "right" (default: the end
 * of a line in the visitor's language, right, or left in Arabic),
 * data-locale="es" (default: the browser's language, else English) and
 * data-transport="polling" (HTTP long-polling only; the host page URL
 * parameter ?transport=polling does the same).
 *
 * The page talks to the widget through window.LiveChat (docs/widget.md):
 * open(), close(), toggle(), identify({user_id, name, email, user_hash}),
 * setLocale(code), on(event, fn) and off(event, fn), with the events
 * "ready", "open", "close", "message" and "unread". Calls made before this
 * script runs wait in a queue, as with the stub
 *   window.LiveChat = window.LiveChat || function () {
 *     (window.LiveChat.q = window.LiveChat.q || []).push(arguments); };
 * and are made in order once the widget is up.
 *
 * A site whose visitor is logged in identifies them, before this script (or
 * later with LiveChat.identify), with a signature its server computes (see
 * docs/identity.md):
 *   window.LiveChatSettings = {identity: {user_id: "42", name: "Ana",
 *                              email: "ana@example.com", user_hash: "<hex HMAC-SHA256>"}};
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
  var METHODS = ["open", "close", "toggle", "identify", "setLocale"];
  var EVENTS = ["ready", "open", "close", "message", "unread"];
  var queued = window.LiveChat && window.LiveChat.q ? Array.prototype.slice.call(window.LiveChat.q) : [];
  var settings = window.LiveChatSettings || {};
  var listeners = {};
  var widget = null;
  var mounting = false;
  var failed = false;
  // What the page asked for before the widget started: it starts that way.
  // A signed identity may also come as window.LiveChat = {identity: ...}.
  var pageIdentity = window.LiveChat && typeof window.LiveChat === "object" ? window.LiveChat.identity : undefined;
  var preset = { identity: settings.identity || pageIdentity, locale: data.locale || settings.locale };
  var waiting = []; // calls made before the widget is up: [method, args, resolve, reject]

  function on(name, fn) {
    if (EVENTS.indexOf(name) < 0 || typeof fn !== "function") {
      console.error("LiveChat.on: unknown event or not a function:", name);
      return;
    }
    (listeners[name] = listeners[name] || []).push(fn);
    // "ready" has passed already: this listener still hears it.
    if (name === "ready" && widget) setTimeout(function () { fn(readyDetail()); }, 0);
  }

  function off(name, fn) {
    listeners[name] = (listeners[name] || []).filter(function (listener) {
      return listener !== fn;
    });
  }

  /** Tell the page's listeners; one that throws does not stop the others or the widget. */
  function emit(name, detail) {
    (listeners[name] || []).slice().forEach(function (fn) {
      try {
        fn(detail);
      } catch (error) {
        console.error("LiveChat " + name + " listener failed:", error);
      }
    });
  }

  function readyDetail() {
    return { locale: widget.locale(), open: widget.isOpen(), unread: widget.unreadCount() };
  }

  function call(method, args) {
    if (method === "on") return on(args[0], args[1]);
    if (method === "off") return off(args[0], args[1]);
    if (METHODS.indexOf(method) < 0) {
      console.error("LiveChat: unknown call:", method);
      return undefined;
    }
    if (widget) return widget[method].apply(null, args);
    if (!mounting && (method === "identify" || method === "setLocale")) {
      preset[method === "identify" ? "identity" : "locale"] = args[0];
      return Promise.resolve();
    }
    if (failed) return Promise.reject(new Error("The chat widget could not load"));
    return new Promise(function (resolve, reject) {
      waiting.push([method, args, resolve, reject]);
    });
  }

  var api = function LiveChat(method) {
    return call(method, Array.prototype.slice.call(arguments, 1));
  };
  METHODS.concat(["on", "off"]).forEach(function (method) {
    api[method] = function () {
      return call(method, Array.prototype.slice.call(arguments));
    };
  });
  window.LiveChat = api;
  queued.forEach(function (args) {
    call(args[0], Array.prototype.slice.call(args, 1));
  });

  function started(controller) {
    widget = controller;
    waiting.splice(0).forEach(function (item) {
      Promise.resolve()
        .then(function () { return widget[item[0]].apply(null, item[1]); })
        .then(item[2], item[3]);
    });
    emit("ready", readyDetail());
  }

  function notStarted(error) {
    failed = true;
    waiting.splice(0).forEach(function (item) {
      item[3](error);
    });
  }

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
    emit: emit,
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
    mounting = true;
    options.locale = preset.locale;
    options.identity = preset.identity;
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
        return results[0].mount(shadowRoot, options);
      })
      .then(started)
      .catch(function (error) {
        console.error("Live chat widget could not load:", error);
        host.remove();
        notStarted(error);
      });
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
})();
