// The API tokens page: an agent's own tokens, listed without their secrets;
// a new one is shown once, to copy; any one can be revoked.

import { call } from "../admin/api.js";
import { setBusy, showDialogError, wireDialog } from "../admin/dialogs.js";
import { el } from "../common/dom.js";
import { t } from "../common/i18n.js";
import { dayLabel, formatClock, formatFull } from "../common/time.js";
import "../inbox/i18n.js";
import { Toast } from "../inbox/toast.js";

const SCOPE_KEYS = { read: "tokens.scope.read", "read-write": "tokens.scope.read_write" };
const rows = document.getElementById("tokens-rows");
const empty = document.getElementById("tokens-empty");
const pageError = document.getElementById("tokens-error");
const toast = new Toast(document.getElementById("tokens-toast"));
const tokenDialog = document.getElementById("token-dialog");
const revokeDialog = document.getElementById("revoke-dialog");
const shown = document.getElementById("token-shown-value");
/** @type {object|null} the token the revoke dialog is about */
let target = null;

for (const dialog of [tokenDialog, revokeDialog]) wireDialog(dialog);
document.getElementById("new-token").addEventListener("click", openNewToken);
document.getElementById("token-form").addEventListener("submit", createToken);
document.getElementById("revoke-dialog-confirm").addEventListener("click", revoke);
// Forgotten as "Done" is clicked, not only on the close event, which the
// browser fires a moment later.
tokenDialog.addEventListener("close", forgetSecret);
tokenDialog.querySelector("[data-step=done][data-close]").addEventListener("click", forgetSecret);
load();

async function load() {
  try {
    const { tokens } = await call("GET", "/tokens");
    rows.replaceChildren(...tokens.map(tokenRow));
    empty.hidden = tokens.length > 0;
    showPageError("");
  } catch (error) {
    showPageError(t("tokens.load_failed", { reason: error.message }));
  }
  rows.setAttribute("aria-busy", "false");
}

function showPageError(text) {
  pageError.textContent = text;
  pageError.hidden = !text;
}

function tokenRow(token) {
  const name = token.name ?? t("tokens.password_session");
  const scopeClass = token.scope === "read" ? "status-pill" : "status-pill status-pill--on";
  const revokeButton = el("button", {
    className: "button button--quiet button--small button--danger",
    text: t("tokens.revoke"),
    attrs: { type: "button", "aria-label": t("tokens.revoke_named", { name }) },
  });
  revokeButton.addEventListener("click", () => askToRevoke(token, name));
  return el(
    "tr",
    { className: "agents-table__row", attrs: { "data-token-id": String(token.id) } },
    el("th", { attrs: { scope: "row", "data-label": t("tokens.column.name") } }, el("span", { text: name, className: token.name ? "" : "muted" })),
    el("td", { attrs: { "data-label": t("tokens.column.scope") } }, el("span", { className: scopeClass, text: SCOPE_KEYS[token.scope] ? t(SCOPE_KEYS[token.scope]) : token.scope })),
    el("td", { attrs: { "data-label": t("tokens.column.created") } }, moment(token.created_at, "")),
    el("td", { attrs: { "data-label": t("tokens.column.last_used") } }, moment(token.last_used_at, t("tokens.never"))),
    el("td", { attrs: { "data-label": t("tokens.column.expires") } }, moment(token.expires_at, t("tokens.never"))),
    el("td", { className: "agents-table__actions" }, revokeButton),
  );
}

function moment(value, otherwise) {
  if (!value) return el("span", { className: "muted", text: otherwise });
  return el("time", { text: `${dayLabel(value)}, ${formatClock(value)}`, attrs: { datetime: value, title: formatFull(value) } });
}

function showStep(step) {
  for (const part of tokenDialog.querySelectorAll("[data-step]")) part.hidden = part.dataset.step !== step;
}

function openNewToken() {
  document.getElementById("token-form").reset();
  showStep("choose");
  showDialogError(tokenDialog, "");
  setBusy(tokenDialog, false);
  tokenDialog.showModal();
  document.getElementById("token-name").focus();
}

async function createToken(event) {
  event.preventDefault();
  const form = event.target;
  const name = form.elements.name.value.trim();
  if (!name) {
    showDialogError(tokenDialog, t("tokens.name_required"));
    form.elements.name.focus();
    return;
  }
  const days = form.elements.expires_in_days.value;
  const body = { name, scope: form.elements.scope.value, expires_in_days: days ? Number(days) : null };
  setBusy(tokenDialog, true);
  let made;
  try {
    made = await call("POST", "/tokens", body);
  } catch (error) {
    setBusy(tokenDialog, false);
    showDialogError(tokenDialog, error.message);
    return;
  }
  setBusy(tokenDialog, false);
  showDialogError(tokenDialog, "");
  shown.textContent = made.token;
  showStep("done");
  tokenDialog.querySelector("[data-copy]").focus();
  await load();
}

function forgetSecret() {
  // Once the dialog closes, the secret is gone from the page for good.
  shown.textContent = "";
  tokenDialog.querySelector("[data-copy]").textContent = t("admin.copy");
  showStep("choose");
}

function askToRevoke(token, name) {
  target = token;
  document.getElementById("revoke-dialog-text").textContent =
    t("tokens.revoke_text", { name });
  showDialogError(revokeDialog, "");
  setBusy(revokeDialog, false);
  revokeDialog.showModal();
}

async function revoke() {
  setBusy(revokeDialog, true);
  try {
    await call("DELETE", `/tokens/${target.id}`);
  } catch (error) {
    setBusy(revokeDialog, false);
    showDialogError(revokeDialog, error.message);
    return;
  }
  setBusy(revokeDialog, false);
  revokeDialog.close();
  toast.show(t("tokens.revoked", { name: target.name ?? t("tokens.the_token") }));
  await load();
}
