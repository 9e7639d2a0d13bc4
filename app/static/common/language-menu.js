// The language menu of the agents' pages: choosing a language applies it
// at once, so its submit button is only for pages without scripts.

for (const form of document.querySelectorAll(".language-menu")) {
  form.classList.add("language-menu--auto");
  form.querySelector("select").addEventListener("change", () => form.requestSubmit());
}
