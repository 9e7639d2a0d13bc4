// Rating a resolved chat: after the "Marked as answered" line, the widget
// asks "How was this chat?" with five stars (a radio group: arrow keys move,
// each star has a label) and an optional comment. Once sent it says thanks,
// with a way to change the rating while the chat stays resolved; when it
// reopens, the prompt goes (the next resolution asks again).

import { el } from "../common/dom.js";
import { onLocaleChange, t } from "../common/i18n.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const STAR_PATH = "M12 2.8l2.8 5.8 6.3.9-4.6 4.4 1.1 6.3L12 17.2l-5.6 3 1.1-6.3-4.6-4.4 6.3-.9z";
const SCORES = [1, 2, 3, 4, 5];
const MAX_SCORE = SCORES.length;
export const MAX_COMMENT_CHARS = 1000;

function star(className) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", STAR_PATH);
  svg.append(path);
  return svg;
}

/** "Good": the word for a score, in the language shown. */
function scoreWord(score) {
  return t(`rating.score_${score}`);
}

/** "★★★★☆ Good": the stars of a score, for the thanks line. */
function starsOf(score) {
  const stars = el("span", { className: "lc-rating__stars", attrs: { "aria-hidden": "true" } });
  for (const n of SCORES) stars.append(star(`lc-star${n <= score ? " lc-star--on" : ""}`));
  return stars;
}

/**
 * Load the chat's rating (GET /api/v1/conversations/ID/rating).
 * @param {string} serverUrl
 * @param {{conversation_id: number, visitor_token: string}} session
 * @returns {Promise<{rating: object|null, can_rate: boolean}|null>} null when it cannot be read
 */
export async function fetchRating(serverUrl, session) {
  try {
    const response = await fetch(`${serverUrl}/api/v1/conversations/${encodeURIComponent(session.conversation_id)}/rating`, {
      headers: { Authorization: `Bearer ${session.visitor_token}`, Accept: "application/json" },
      credentials: "omit",
    });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

export class RatingPrompt {
  /**
   * @param {object} view the widget view (see view.js)
   * @param {object} options
   * @param {() => Promise<object|null>} options.load reads the chat's rating
   * @param {(score: number, comment: string|null) => Promise<object>} options.send the `rate` ack
   */
  constructor(view, { load, send }) {
    this.view = view;
    this.load = load;
    this.send = send;
    this.resolved = false;
    this.rated = null; // the current resolution's rating, once known
    this.busy = false;
    /** @type {(() => string)|null} what went wrong, in the language shown */
    this.problem = null;
    this.#build();
    view.messages.parentElement.append(this.root);
    onLocaleChange(() => this.#showLanguage());
  }

  #build() {
    this.stars = el("div", { className: "lc-rating__choices", attrs: { role: "radiogroup", "aria-labelledby": "lc-rating-title" } });
    this.inputs = SCORES.map((score) => {
      const input = el("input", {
        className: "lc-rating__input",
        attrs: { type: "radio", name: "lc-score", value: String(score), id: `lc-score-${score}` },
      });
      const label = el("label", {
        className: "lc-rating__star",
        attrs: { for: `lc-score-${score}` },
      }, star("lc-star"), this.view.say(el("span", { className: "sr-only" }),
        () => t("rating.star_label", { score, max: MAX_SCORE, word: scoreWord(score) })));
      this.view.say(label, () => t("rating.star_title", { score, word: scoreWord(score) }), "title");
      this.stars.append(input, label);
      return input;
    });
    this.word = el("p", { className: "lc-rating__word", attrs: { "aria-hidden": "true" } });
    this.comment = el("textarea", {
      className: "lc-rating__comment",
      attrs: { id: "lc-rating-comment", rows: "2", maxlength: String(MAX_COMMENT_CHARS) },
    });
    this.view.say(this.comment, "rating.comment_placeholder", "placeholder");
    this.submit = this.view.say(el("button", {
      className: "lc-button lc-button--primary lc-rating__send", attrs: { type: "submit" },
    }), "rating.send");
    this.error = el("p", { className: "lc-rating__error", attrs: { role: "alert" } });
    this.error.hidden = true;
    this.form = el("form", { className: "lc-rating__form", attrs: { "aria-labelledby": "lc-rating-title" } },
      this.view.say(el("p", { className: "lc-rating__title", attrs: { id: "lc-rating-title" } }), "rating.title"),
      this.stars, this.word,
      this.view.say(el("label", { className: "sr-only", attrs: { for: "lc-rating-comment" } }), "rating.comment_label"),
      this.comment, this.error, this.submit);
    this.thanksText = el("span", { className: "lc-rating__thanks-text" });
    this.changeButton = this.view.say(el("button", { className: "lc-rating__change", attrs: { type: "button" } }),
      "rating.change");
    this.thanks = el("div", { className: "lc-rating__thanks" }, this.thanksText, this.changeButton);
    this.root = this.view.say(el("section", { className: "lc-rating" }, this.form, this.thanks), "rating.region", "aria-label");
    this.root.hidden = true;
    this.form.addEventListener("change", () => this.#showChoice());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#send();
    });
    this.changeButton.addEventListener("click", () => this.#showForm(true));
  }

  /** The score picked, or 0. */
  get score() {
    return Number(this.inputs.find((input) => input.checked)?.value || 0);
  }

  #showChoice() {
    const { score } = this;
    this.stars.querySelectorAll(".lc-rating__star").forEach((label, index) => {
      label.classList.toggle("lc-rating__star--on", index < score);
    });
    this.word.textContent = score ? scoreWord(score) : "";
    this.submit.disabled = !score || this.busy;
  }

  /**
   * Where the chat stands (the `chat_state` event's `state`).
   * @param {string|null} state
   */
  async setState(state) {
    const resolved = state === "resolved";
    if (resolved === this.resolved) return;
    this.resolved = resolved;
    this.rated = null;
    if (!resolved) {
      this.root.hidden = true;
      return;
    }
    const answer = await this.load();
    if (!this.resolved || !answer?.can_rate) return;
    this.apply(answer);
    if (!this.rated) this.#showForm(false);
  }

  /** The visitor wrote again: the chat reopens, and this resolution's rating stands. */
  visitorWrote() {
    this.setState("open");
  }

  /**
   * A Rating object from the server (the `rating` event, an ack, a GET).
   * @param {{rating: object|null, can_rate: boolean}} answer
   */
  apply(answer) {
    if (!this.resolved || !answer?.rating?.current) return;
    this.rated = answer.rating;
    this.#showThanks();
  }

  #showForm(focus) {
    this.root.hidden = false;
    this.form.hidden = false;
    this.thanks.hidden = true;
    const score = this.rated?.score || 0;
    for (const input of this.inputs) input.checked = Number(input.value) === score;
    this.comment.value = this.rated?.comment || "";
    this.error.hidden = true;
    this.problem = null;
    this.#showChoice();
    if (focus) (this.inputs[score - 1] || this.inputs[0]).focus();
    else this.#keepInView();
  }

  #showThanks() {
    const focusWasInside = this.root.contains(this.root.getRootNode().activeElement);
    this.root.hidden = false;
    this.form.hidden = true;
    this.thanks.hidden = false;
    const { score } = this.rated;
    this.thanksText.replaceChildren(
      el("span", { text: t("rating.thanks") }), starsOf(score),
      el("span", { className: "sr-only", text: t("rating.star_label", { score, max: MAX_SCORE, word: scoreWord(score) }) }));
    this.changeButton.setAttribute("aria-label", t("rating.change_label", { score, max: MAX_SCORE }));
    if (focusWasInside) this.changeButton.focus();
  }

  async #send() {
    const { score } = this;
    if (!score || this.busy) return;
    this.busy = true;
    this.submit.disabled = true;
    const comment = this.comment.value.trim() || null;
    const ack = await this.send(score, comment);
    this.busy = false;
    if (ack?.ok) {
      this.apply(ack);
      this.view.announce(t("rating.thanks"));
      return;
    }
    const reason = ack?.error?.message;
    this.problem = ack?.error?.code === "conflict"
      ? () => t("rating.reopened")
      : () => t("rating.not_sent", { reason: reason || t("error.try_again") });
    this.error.textContent = this.problem();
    this.error.hidden = false;
    this.#showChoice();
  }

  /** The texts made from the chat's state, again in the language now shown. */
  #showLanguage() {
    this.#showChoice();
    if (this.problem) this.error.textContent = this.problem();
    if (this.rated && !this.thanks.hidden) this.#showThanks();
  }

  #keepInView() {
    const { scroller } = this.view;
    scroller.scrollTop = scroller.scrollHeight;
  }
}
