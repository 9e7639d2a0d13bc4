// The visitor's rating of the open conversation, in its header ("★ 4/5",
// the comment in its tooltip): read when a conversation opens and kept live
// by `rating` events. The timeline's "rated" lines tell the history.

import { t } from "../common/i18n.js";

/**
 * The word the widget shows beside a score, e.g. "Good" for 4.
 * @param {number} score 1 to 5
 * @returns {string}
 */
export function scoreWord(score) {
  return score >= 1 && score <= 5 ? t(`rating.score_${score}`) : "?";
}

/**
 * A "rated" line's body: the score, then a space and the comment if any.
 * @param {string|null} body
 * @returns {{score: number, comment: string|null}}
 */
export function parseRatedBody(body) {
  const text = String(body || "");
  return { score: Number(text.slice(0, 1)) || 0, comment: text.length > 2 ? text.slice(2) : null };
}

/**
 * What a rating says in words, e.g. "Rated 4 of 5 (Good): “Quick”".
 * @param {{score: number, comment: string|null}} rating
 * @param {string} [key] the sentence: "rating.rated", or "activity.rated" for the timeline
 * @returns {string}
 */
export function describeRating({ score, comment }, key = "rating.rated") {
  const said = t(key, { score, word: scoreWord(score) });
  return comment ? t("rating.with_comment", { rating: said, comment }) : said;
}

export class RatingBadge {
  /** @param {HTMLElement} element the header's pill */
  constructor(element) {
    this.element = element;
    this.openId = null;
  }

  /** @param {number|null} id the conversation now open */
  async setConversation(id) {
    if (id === this.openId) return;
    this.openId = id;
    this.#render(null);
    if (id === null) return;
    try {
      const response = await fetch(`/api/v1/conversations/${encodeURIComponent(id)}/rating`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) this.onRating(await response.json());
    } catch {
      // Unknown for now: the next `rating` event shows it.
    }
  }

  /** @param {{conversation_id: number, rating: object|null}} payload */
  onRating(payload) {
    if (payload?.conversation_id === this.openId) this.#render(payload.rating);
  }

  #render(rating) {
    const { element } = this;
    element.hidden = !rating;
    if (!rating) return;
    element.textContent = t("rating.badge", { score: rating.score });
    element.title = describeRating(rating);
    element.setAttribute("aria-label", describeRating(rating));
  }
}
