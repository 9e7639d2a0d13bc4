// The identity secret on the Settings page: shown to admins, created or
// rolled (after a confirmation, since every site must then use the new one).

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
    showError(`Could not load the identity secret: ${error.message}`);
  }
}

function show(secret) {
  current = secret;
  row.hidden = !secret;
  value.textContent = secret?.secret || "";
  state.textContent = secret
    ? `Created ${new Date(secret.created_at).toLocaleString()}. Signed visitors are accepted.`
    : "None yet: identities sent by a site are refused until you create one.";
  rollButton.textContent = secret ? "Roll the secret" : "Create the secret";
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
    if (dialog.open) showDialogError(dialog, `Not changed: ${error.message}`);
    else showError(`Not changed: ${error.message}`);
    return;
  }
  setBusy(dialog, false);
  dialog.close();
  showError("");
  toast.show("The new identity secret holds from now on.");
  rollButton.focus();
}

async function copy() {
  try {
    await navigator.clipboard.writeText(value.textContent);
    toast.show("Copied the identity secret.");
  } catch {
    window.getSelection()?.selectAllChildren(value);
  }
}

function showError(text) {
  pageError.textContent = text;
  pageError.hidden = !text;
}
