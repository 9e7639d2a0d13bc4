// Tiny helpers for building and arranging DOM trees without markup strings.

/**
 * Create an element.
 * @param {string} tag
 * @param {object} [props]
 * @param {string} [props.className]
 * @param {string} [props.text] set as textContent
 * @param {Record<string, string>} [props.attrs] attributes (never event handlers or style)
 * @param {...(Node|string|null|undefined)} children
 * @returns {HTMLElement}
 */
export function el(tag, { className, text, attrs } = {}, ...children) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  for (const [name, value] of Object.entries(attrs || {})) element.setAttribute(name, value);
  for (const child of children) {
    if (child !== null && child !== undefined) element.append(child);
  }
  return element;
}

/**
 * Make these nodes a container's children, in this order: nodes already in
 * place stay untouched (so scrolling, selection and focus survive), the
 * others are moved in, and children not listed are removed.
 * @param {Element} container
 * @param {Node[]} nodes
 */
export function placeChildren(container, nodes) {
  let cursor = container.firstChild;
  for (const node of nodes) {
    if (node === cursor) cursor = cursor.nextSibling;
    else container.insertBefore(node, cursor);
  }
  while (cursor) {
    const next = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
}
