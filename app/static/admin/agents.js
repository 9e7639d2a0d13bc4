// The Agents admin page: the table of agents and what admins do to them
// (add, change role, disable or enable, reset the password).

import { t } from "../common/i18n.js";
import "../inbox/i18n.js";
import { el } from "../common/dom.js";
import { dayLabel, formatClock, formatFull } from "../common/time.js";
import { Toast } from "../inbox/toast.js";
import { call } from "./api.js";
import { generatePassword, setBusy, showDialogError, wireDialog } from "./dialogs.js";

const ROLE_LABELS = { agent: "admin.role.agent", admin: "admin.role.admin" };
const selfId = Number(document.body.dataset.agentId);
const rows = document.getElementById("agents-rows");
const pageError = document.getElementById("agents-error");
const toast = new Toast(document.getElementById("admin-toast"));
const agentDialog = document.getElementById("agent-dialog");
const passwordDialog = document.getElementById("password-dialog");
const disableDialog = document.getElementById("disable-dialog");
/** @type {object|null} the agent a dialog is about */
let target = null;

for (const dialog of [agentDialog, passwordDialog, disableDialog]) wireDialog(dialog);
document.getElementById("add-agent").addEventListener("click", openAddAgent);
document.getElementById("agent-form").addEventListener("submit", addAgent);
document.getElementById("password-form").addEventListener("submit", resetPassword);
document.getElementById("disable-dialog-confirm").addEventListener("click", () => setDisabled(target, true));
load();

async function load() {
  try {
    const { agents } = await call("GET", "/admin/agents");
    rows.replaceChildren(...agents.map(agentRow));
    showPageError("");
  } catch (error) {
    showPageError(t("admin.load_failed", { reason: error.message }));
  }
  rows.setAttribute("aria-busy", "false");
}

function showPageError(text) {
  pageError.textContent = text;
  pageError.hidden = !text;
}

function agentRow(agent) {
  const you = agent.id === selfId ? el("span", { className: "tag", text: t("admin.you") }) : null;
  return el(
    "tr",
    { className: agent.disabled ? "agents-table__row agents-table__row--disabled" : "agents-table__row" },
    el("th", { attrs: { scope: "row", "data-label": t("admin.column.name") } }, el("span", { text: agent.name }), you),
    el("td", { text: agent.email, attrs: { "data-label": t("admin.column.email") } }),
    el("td", { attrs: { "data-label": t("admin.column.role") } }, roleSelect(agent)),
    el("td", { attrs: { "data-label": t("admin.column.status") } }, statusPill(agent)),
    el("td", { attrs: { "data-label": t("admin.column.last_login") } }, lastLogin(agent.last_login_at)),
    el("td", { className: "agents-table__actions" }, ...rowActions(agent)),
  );
}

function roleSelect(agent) {
  const select = el("select", { className: "field__input field__input--compact", attrs: { "aria-label": t("admin.role_of", { name: agent.name }) } });
  for (const [value, label] of Object.entries(ROLE_LABELS)) {
    select.append(el("option", { text: t(label), attrs: { value } }));
  }
  select.value = agent.role;
  select.addEventListener("change", () => changeRole(agent, select));
  return select;
}

function statusPill(agent) {
  const text = t(agent.disabled ? "admin.disabled" : "admin.active");
  return el("span", { className: `status-pill status-pill--${agent.disabled ? "off" : "on"}`, text });
}

function lastLogin(value) {
  if (!value) return el("span", { className: "muted", text: t("admin.never") });
  return el("time", { text: `${dayLabel(value)}, ${formatClock(value)}`, attrs: { datetime: value, title: formatFull(value) } });
}

function rowActions(agent) {
  const reset = el("button", { className: "button button--quiet button--small", text: t("admin.reset_password"), attrs: { type: "button" } });
  reset.addEventListener("click", () => openResetPassword(agent));
  const toggle = el("button", {
    className: `button button--quiet button--small${agent.disabled ? "" : " button--danger"}`,
    text: t(agent.disabled ? "admin.enable" : "admin.disable"),
    attrs: { type: "button", "aria-label": t(agent.disabled ? "admin.enable_named" : "admin.disable_named", { name: agent.name }) },
  });
  toggle.addEventListener("click", () => (agent.disabled ? setDisabled(agent, false) : askToDisable(agent)));
  reset.setAttribute("aria-label", t("admin.reset_password_named", { name: agent.name }));
  return [reset, toggle];
}

async function changeRole(agent, select) {
  select.disabled = true;
  try {
    await call("PATCH", `/admin/agents/${agent.id}`, { role: select.value });
  } catch (error) {
    select.value = agent.role;
    select.disabled = false;
    toast.show(t("admin.role_failed", { reason: error.message }));
    return;
  }
  if (agent.id === selfId && select.value !== "admin") {
    window.location.assign("/agent"); // no longer an admin: this page is closed to them now
    return;
  }
  toast.show(t(select.value === "admin" ? "admin.now_admin" : "admin.now_agent", { name: agent.name }));
  await load();
}

function openAddAgent() {
  const form = document.getElementById("agent-form");
  form.reset();
  document.getElementById("agent-password").value = generatePassword();
  showDialogError(agentDialog, "");
  setBusy(agentDialog, false);
  agentDialog.showModal();
  document.getElementById("agent-name").focus();
}

async function addAgent(event) {
  event.preventDefault();
  const form = event.target;
  const missing = [...form.elements].find((input) => input.required && !input.value.trim());
  if (missing) {
    showDialogError(agentDialog, `${form.querySelector(`label[for="${missing.id}"]`).textContent} is required.`);
    missing.focus();
    return;
  }
  const body = Object.fromEntries(["name", "email", "role", "password"].map((name) => [name, form.elements[name].value]));
  setBusy(agentDialog, true);
  try {
    await call("POST", "/admin/agents", body);
  } catch (error) {
    setBusy(agentDialog, false);
    showDialogError(agentDialog, error.message);
    return;
  }
  setBusy(agentDialog, false);
  agentDialog.close();
  toast.show(`${body.name.trim()} was added and can log in now.`);
  await load();
}

function openResetPassword(agent) {
  target = agent;
  passwordDialog.querySelector("[data-describe]").textContent =
    `${agent.name} will be logged out everywhere and their API tokens will stop working.`;
  document.getElementById("new-password").value = generatePassword();
  document.getElementById("password-shown-value").textContent = "";
  showStep(passwordDialog, "choose");
  showDialogError(passwordDialog, "");
  setBusy(passwordDialog, false);
  passwordDialog.showModal();
  document.getElementById("new-password").select();
}

async function resetPassword(event) {
  event.preventDefault();
  const password = document.getElementById("new-password").value;
  setBusy(passwordDialog, true);
  try {
    await call("POST", `/admin/agents/${target.id}/password`, { password });
  } catch (error) {
    setBusy(passwordDialog, false);
    showDialogError(passwordDialog, error.message);
    return;
  }
  setBusy(passwordDialog, false);
  document.getElementById("new-password").value = "";
  document.getElementById("password-shown-value").textContent = password;
  showStep(passwordDialog, "done");
  passwordDialog.querySelector("[data-close]").textContent = t("admin.done");
  passwordDialog.querySelector("[data-copy]").focus();
  passwordDialog.addEventListener("close", forgetShownPassword, { once: true });
}

function forgetShownPassword() {
  document.getElementById("password-shown-value").textContent = "";
  passwordDialog.querySelector("[data-close]").textContent = t("canned.cancel");
  passwordDialog.querySelector("[data-copy]").textContent = t("admin.copy");
  if (target?.id === selfId) window.location.assign("/login"); // their own login just ended
}

function showStep(dialog, step) {
  for (const part of dialog.querySelectorAll("[data-step]")) part.hidden = part.dataset.step !== step;
}

function askToDisable(agent) {
  target = agent;
  document.getElementById("disable-dialog-text").textContent =
    `${agent.name} will be logged out at once and cannot log in or use the API until enabled again.`;
  showDialogError(disableDialog, "");
  setBusy(disableDialog, false);
  disableDialog.showModal();
}

async function setDisabled(agent, disabled) {
  setBusy(disableDialog, true);
  try {
    await call("PATCH", `/admin/agents/${agent.id}`, { disabled });
  } catch (error) {
    setBusy(disableDialog, false);
    if (disableDialog.open) showDialogError(disableDialog, error.message);
    else toast.show(t("admin.not_changed", { reason: error.message }));
    return;
  }
  setBusy(disableDialog, false);
  if (disableDialog.open) disableDialog.close();
  toast.show(`${agent.name} is ${disabled ? "disabled" : "enabled"}.`);
  await load();
}
