// The message composer: a textarea that grows with its text, Enter sends,
// Shift+Enter starts a new line, and typing state is reported as you type.

const MAX_HEIGHT_PX = 160;

/**
 * Wire a composer form.
 * @param {object} options
 * @param {HTMLFormElement} options.form
 * @param {HTMLTextAreaElement} options.textarea
 * @param {(text: string) => void} options.onSend called with the trimmed text
 * @param {{input: () => void, stop: () => void}} [options.typing]
 * @returns {{focus: () => void, clear: () => void}}
 */
export function attachComposer({ form, textarea, onSend, typing }) {
  const resize = () => {
    textarea.style.height = "auto";
    textarea.style.height = `${Math.min(textarea.scrollHeight, MAX_HEIGHT_PX)}px`;
  };
  const clear = () => {
    textarea.value = "";
    resize();
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text) return;
    typing?.stop();
    onSend(text);
    clear();
    textarea.focus();
  });

  textarea.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    form.requestSubmit();
  });

  textarea.addEventListener("input", () => {
    resize();
    if (textarea.value.trim()) typing?.input();
    else typing?.stop();
  });

  textarea.addEventListener("blur", () => typing?.stop());

  return { focus: () => textarea.focus(), clear };
}
