// Uploading a file to a conversation with XMLHttpRequest, whose upload
// progress events drive a progress bar, and which can be cancelled. What went
// wrong is said in the reader's language where this side knows the reason.

import { currentLocale, t } from "./i18n.js";

/**
 * @typedef {object} Upload
 * @property {Promise<object>} done resolves with the server's file object;
 *   rejects with an Error whose `code` is the protocol's (or "cancelled"),
 *   and whose `explain()` says why in the language shown
 * @property {() => void} cancel
 */

/**
 * Start uploading one file.
 * @param {object} options
 * @param {string} options.url POST .../conversations/ID/files
 * @param {File} options.file
 * @param {Record<string, string>} [options.headers] e.g. the visitor's Authorization
 * @param {(fraction: number) => void} [options.onProgress] 0 to 1
 * @returns {Upload}
 */
export function uploadFile({ url, file, headers = {}, onProgress = () => {} }) {
  const request = new XMLHttpRequest();
  const done = new Promise((resolve, reject) => {
    request.open("POST", url);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.responseType = "json";
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      const data = request.response || {};
      if (request.status === 201 && data.file) resolve(data.file);
      else reject(refusal(request.status, data.error));
    });
    request.addEventListener("error", () => reject(failure("network", () => t("upload.unreachable"))));
    request.addEventListener("abort", () => reject(failure("cancelled", () => "cancelled")));
    const form = new FormData();
    form.append("file", file, file.name);
    request.send(form);
  });
  return { done, cancel: () => request.abort() };
}

/**
 * @param {string} code
 * @param {() => string} explain the reason, in the language shown when called
 */
function failure(code, explain) {
  const error = new Error(explain());
  error.code = code;
  error.explain = explain;
  return error;
}

/** Texts for the server's refusals, for readers of other languages than the server's English. */
const REFUSALS = {
  too_large: "upload.server_too_large",
  rate_limited: "upload.rate_limited",
  forbidden: "upload.forbidden",
  invalid: "upload.invalid",
};

/**
 * The server's refusal. Its own words are English and the most precise
 * ("the file is larger than 300,000 bytes"); in another language the reason
 * is said in that language.
 */
function refusal(status, error) {
  const code = error?.code || statusCode(status);
  return failure(code, () => {
    const english = currentLocale() === "en";
    if (REFUSALS[code] && !(english && error?.message)) return t(REFUSALS[code]);
    return error?.message || t("upload.status", { status: String(status) });
  });
}

function statusCode(status) {
  return { 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict", 413: "too_large", 429: "rate_limited" }[status] || "internal";
}
