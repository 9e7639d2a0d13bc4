// A message's file in the message list: an image's thumbnail (opening the
// full image) or a card to download anything else. The inbox reads files
// with its session cookie, so plain URLs do; the widget lives on another
// site and reads them with the visitor's token, as object URLs.

import { el } from "./dom.js";
import { formatLocale, t } from "./i18n.js";
import { icon } from "./icons.js";

const access = { serverUrl: "", token: null };
/** @type {Map<string, Promise<string>>} object URLs by file URL (widget only) */
const objectUrls = new Map();

/**
 * Read files with a bearer token from another origin (the widget).
 * @param {{serverUrl: string, token: () => string|null}} options
 */
export function readFilesWithToken({ serverUrl, token }) {
  access.serverUrl = serverUrl;
  access.token = token;
}

/**
 * A size for people, in the reader's language: "820 KB", "2.4 MB" ("2,4 MB" in Spanish).
 * @param {number} bytes
 * @returns {string}
 */
export function formatBytes(bytes) {
  if (bytes < 1024) return t("size.bytes", { size: bytes });
  if (bytes < 1024 * 1024) return t("size.kilobytes", { size: Math.round(bytes / 1024) });
  const megabytes = new Intl.NumberFormat(formatLocale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return t("size.megabytes", { size: megabytes.format(bytes / (1024 * 1024)) });
}

/**
 * The element showing a message's file.
 * @param {{name: string, size: number, kind: string, url: string, thumbnail_url: string|null,
 *   width: number|null, height: number|null}} file
 * @returns {HTMLElement}
 */
export function buildAttachment(file) {
  return file.kind === "image" && file.thumbnail_url ? buildImage(file) : buildFileCard(file);
}

function buildImage(file) {
  const image = el("img", {
    className: "attachment__image",
    attrs: { alt: file.name, loading: "lazy", decoding: "async" },
  });
  // The thumbnail's box is known before it loads, so the list does not jump.
  const scale = Math.min(1, 240 / Math.max(file.width || 240, file.height || 240));
  image.width = Math.round((file.width || 240) * scale);
  image.height = Math.round((file.height || 240) * scale);
  const link = el("a", {
    className: "attachment attachment--image",
    attrs: { title: t("file.open", { name: file.name }), rel: "noopener noreferrer", target: "_blank" },
  }, image);
  setSource(image, "src", file.thumbnail_url);
  openWhenClicked(link, file, { download: false });
  return link;
}

function buildFileCard(file) {
  const link = el("a", {
    className: "attachment attachment--file",
    attrs: { title: t("file.download", { name: file.name }), rel: "noopener noreferrer" },
  },
  el("span", { className: "attachment__icon" }, icon("file", "attachment__glyph")),
  el("span", { className: "attachment__text" },
    el("span", { className: "attachment__name", text: file.name }),
    el("span", { className: "attachment__size", text: t("file.size_download", { size: formatBytes(file.size) }) })));
  openWhenClicked(link, file, { download: true });
  return link;
}

function setSource(element, attribute, url) {
  if (!access.token) {
    element.setAttribute(attribute, url);
    return;
  }
  objectUrlOf(url).then((objectUrl) => element.setAttribute(attribute, objectUrl))
    .catch(() => element.classList.add("attachment--unavailable"));
}

/** A same-origin link works as it is; the widget's fetches the file first. */
function openWhenClicked(link, file, { download }) {
  if (download) link.setAttribute("download", file.name);
  if (!access.token) {
    link.href = file.url;
    return;
  }
  link.href = "#";
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    try {
      const objectUrl = await objectUrlOf(file.url);
      const opener = el("a", { attrs: { href: objectUrl, rel: "noopener noreferrer" } });
      if (download) opener.download = file.name;
      else opener.target = "_blank";
      opener.click();
    } catch {
      link.classList.add("attachment--unavailable");
      link.title = t("file.unavailable", { name: file.name });
    }
  });
}

function objectUrlOf(url) {
  if (!objectUrls.has(url)) {
    const loading = fetch(`${access.serverUrl}${url}`, {
      headers: { Authorization: `Bearer ${access.token()}` },
      credentials: "omit",
    }).then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.blob();
    }).then((blob) => URL.createObjectURL(blob));
    loading.catch(() => objectUrls.delete(url));
    objectUrls.set(url, loading);
  }
  return objectUrls.get(url);
}
