// The API reference page: Swagger UI over the server's own description.
// "Try it out" runs on this origin, so a logged-in agent's requests carry the
// inbox's cookie; admins' changes also need the page's CSRF token.

const root = document.getElementById("api-reference");
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;

window.SwaggerUIBundle({
  url: root.dataset.url,
  domNode: root,
  deepLinking: false,
  docExpansion: "list",
  defaultModelsExpandDepth: 0,
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  onComplete() {
    // Swagger UI leaves its server menu without a name.
    document.getElementById("servers")?.setAttribute("aria-label", "Server");
  },
  requestInterceptor(request) {
    request.headers["X-CSRFToken"] = csrfToken;
    return request;
  },
});

// Examples that scroll sideways must be reachable by keyboard: Swagger UI
// renders them as they open, so each new one is made focusable.
function focusableExamples() {
  for (const example of root.querySelectorAll(".highlight-code > pre:not([tabindex])")) {
    example.tabIndex = 0;
  }
}
new MutationObserver(focusableExamples).observe(root, { childList: true, subtree: true });
