// Uploading a file to a conversation with XMLHttpRequest, whose upload
// progress events drive a progress bar, and which can be cancelled.

/**
 * @typedef {object} Upload
 * @property {Promise<object>} done resolves with the server's file object;
 *   rejects with an Error whose `code` is the protocol's (or "cancelled")
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
      else reject(failure(data.error?.code || statusCode(request.status), data.error?.message || describeStatus(request.status)));
    });
    request.addEventListener("error", () => reject(failure("network", "the server could not be reached; try again")));
    request.addEventListener("abort", () => reject(failure("cancelled", "cancelled")));
    const form = new FormData();
    form.append("file", file, file.name);
    request.send(form);
  });
  return { done, cancel: () => request.abort() };
}

function failure(code, message) {
  const error = new Error(message);
  error.code = code;
  return error;
}

function statusCode(status) {
  return { 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict", 413: "too_large", 429: "rate_limited" }[status] || "internal";
}

function describeStatus(status) {
  if (status === 413) return "the file is too large";
  if (status === 429) return "too many files at once; wait a minute";
  return `the server answered ${status}`;
}
