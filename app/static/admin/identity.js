// The identity secret on the Settings page: shown to admins, created or
// rolled (after a confirmation, since every site must then use the new one).

import { t } from "../common/i18n.js";
import { formatFull } from "../common/time.js";
import "../inbox/i18n.js";
import { Toast } from "../inbox/toast.js";
import { call } from "./api.js";
import { setBusy, showDialogError, wireDialog } from "./dialogs.js";

const state = document.getElementById("identity-secret-state");
const row = document.getElementById("identity-secret-row");
const value = document.getElementById("identity-secret-value");
const copyButton = document.getElementById("identity-secret-copy");
const rollButton = document.getElementById("identity-secret-roll");
const pageError = document.getElementById("identity-error");
const dialog = document.getElementById("roll-dialog");
const toast = new Toast(document.getElementById("admin-toast"));
let current = null;

wireDialog(dialog);
rollButton.addEventListener("click", () => {
  if (!current) {
    roll();
    return;
  }
  showDialogError(dialog, "");
  dialog.showModal();
});
document.getElementById("roll-dialog-confirm").addEventListener("click", roll);
copyButton.addEventListener("click", copy);
load();

async function load() {
  try {
    show((await call("GET", "/admin/identity-secret")).secret);
  } catch (error) {
    showError(t("identity.load_failed", { reason: error.message }));
  }
}

function show(secret) {
  current = secret;
  row.hidden = !secret;
  value.textContent = secret?.secret || "";
  state.textContent = secret
    ? t("identity.created", { when: formatFull(secret.created_at) })
    : t("identity.none");
  rollButton.textContent = t(secret ? "identity.roll" : "identity.create");
  rollButton.disabled = false;
}

async function roll() {
  rollButton.disabled = true;
  setBusy(dialog, true);
  try {
    show((await call("POST", "/admin/identity-secret")).secret);
  } catch (error) {
    rollButton.disabled = false;
    setBusy(dialog, false);
    const text = t("admin.not_changed", { reason: error.message });
    if (dialog.open) showDialogError(dialog, text);
    else showError(text);
    return;
  }
  setBusy(dialog, false);
  dialog.close();
  showError("");
  toast.show(t("identity.rolled"));
  rollButton.focus();
}

async function copy() {
  try {
    await navigator.clipboard.writeText(value.textContent);
    toast.show(t("identity.copied"));
  } catch {
    window.getSelection()?.selectAllChildren(value);
  }
}

function showError(text) {
  pageError.textContent = text;
  pageError.hidden = !text;
}
