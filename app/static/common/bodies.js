// What a message body is: how it is trimmed, when it is blank, how long it
// is. The same rules as the server's (app/chat/bodies.py, docs/protocol.md
// "Message bodies"), so the composer refuses exactly what the server refuses.

/** The server's default CHAT_MAX_BODY_CHARS. */
export const MAX_BODY_CHARS = 5000;

const WHITE_SPACE = /\p{White_Space}/u;
// Separators, controls, format characters, combining marks on their own,
// and the Hangul fillers: nothing of them shows on screen.
const INVISIBLE = /^[\p{Z}\p{Cc}\p{Cf}\p{Mn}\p{Me}\u115f\u1160\u3164\uffa0]*$/u;

/**
 * The body without white space at either end; this is what the server stores.
 * (Not String.prototype.trim(): that also strips U+FEFF.)
 * @param {string} text
 * @returns {string}
 */
export function trimBody(text) {
  let start = 0;
  let end = text.length;
  // Every White_Space character is one UTF-16 unit, so stepping by units is exact.
  while (start < end && WHITE_SPACE.test(text[start])) start += 1;
  while (end > start && WHITE_SPACE.test(text[end - 1])) end -= 1;
  return text.slice(start, end);
}

/**
 * @param {string} text
 * @returns {boolean} whether nothing in it would show on screen
 */
export function isBlank(text) {
  return INVISIBLE.test(text);
}

/**
 * Length in Unicode code points, as the server counts (an emoji is one,
 * where a textarea's maxlength would count two).
 * @param {string} text
 * @returns {number}
 */
export function bodyLength(text) {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}
