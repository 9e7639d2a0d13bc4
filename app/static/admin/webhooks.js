// The Webhooks admin page: endpoints (add, edit, delete, see and roll the
// secret) and the chosen endpoint's delivery log, with "Send again".

import { el } from "../common/dom.js";
import { t } from "../common/i18n.js";
import { dayLabel, formatClock, formatFull } from "../common/time.js";
import "../inbox/i18n.js";
import { Toast } from "../inbox/toast.js";
import { call } from "./api.js";
import { setBusy, showDialogError, wireDialog } from "./dialogs.js";

const STATUSES = new Set(["pending", "delivered", "failed", "dropped"]);
const SHOWN_DELIVERIES = 50;
const list = document.getElementById("webhook-list");
const empty = document.getElementById("webhooks-empty");
const pageError = document.getElementById("webhooks-error");
const deliveries = document.getElementById("deliveries");
const deliveryRows = document.getElementById("delivery-rows");
const toast = new Toast(document.getElementById("admin-toast"));
const editDialog = document.getElementById("webhook-dialog");
const form = document.getElementById("webhook-form");
const confirmDialog = document.getElementById("confirm-webhook");
/** @type {object|null} the endpoint being edited (null: adding one) */
let editing = null;
/** @type {number|null} the endpoint whose deliveries are shown */
let shownId = null;
/** @type {number|undefined} the timer that reads the log again while deliveries are pending */
let refreshTimer;
/** @type {() => Promise<void>} what the confirm dialog's button does */
let confirmed = async () => {};

for (const dialog of [editDialog, confirmDialog]) wireDialog(dialog);
document.getElementById("add-webhook").addEventListener("click", () => openEditor(null));
document.getElementById("refresh-deliveries").addEventListener("click", () => loadDeliveries());
form.addEventListener("submit", save);
document.getElementById("confirm-webhook-button").addEventListener("click", runConfirmed);
load();

async function load() {
  try {
    const { webhooks } = await call("GET", "/admin/webhooks");
    list.replaceChildren(...webhooks.map(endpointItem));
    empty.hidden = webhooks.length > 0;
    showError(pageError, "");
    if (!webhooks.some((hook) => hook.id === shownId)) shownId = webhooks[0]?.id ?? null;
    deliveries.hidden = shownId === null;
    markShown(webhooks.find((hook) => hook.id === shownId));
  } catch (error) {
    showError(pageError, t("webhooks.load_failed", { reason: error.message }));
  }
  list.setAttribute("aria-busy", "false");
}

function showError(line, text) {
  line.textContent = text;
  line.hidden = !text;
}

function endpointItem(hook) {
  const title = hook.description || t("webhooks.endpoint");
  return el(
    "li",
    { className: "webhook", attrs: { "data-id": String(hook.id) } },
    el(
      "div",
      { className: "webhook__head" },
      el("div", { className: "webhook__names" },
        el("h3", { className: "webhook__title", text: title }),
        el("p", { className: "webhook__url", text: hook.url })),
      el("div", { className: "webhook__actions" }, ...endpointActions(hook, title)),
    ),
    el("ul", { className: "webhook__events", attrs: { "aria-label": t("webhooks.events_of", { title }) } },
      ...hook.events.map((name) => el("li", { className: "tag webhook__event", text: name }))),
    secretRow(hook, title),
  );
}

function endpointActions(hook, title) {
  const show = button(t("webhooks.deliveries"), t("webhooks.deliveries_of", { title }), () => showDeliveries(hook));
  show.dataset.show = "";
  const edit = button(t("webhooks.edit"), t("webhooks.edit_named", { title }), () => openEditor(hook));
  const remove = button(t("webhooks.delete"), t("webhooks.delete_named", { title }), () => askToDelete(hook, title));
  remove.classList.add("button--danger");
  return [show, edit, remove];
}

function button(text, label, onClick) {
  const element = el("button", { className: "button button--quiet button--small", text, attrs: { type: "button", "aria-label": label } });
  element.addEventListener("click", onClick);
  return element;
}

function secretRow(hook, title) {
  const value = el("code", { className: "webhook__secret", text: hidden(hook.secret) });
  const toggle = button(t("webhooks.show"), t("webhooks.show_secret_of", { title }), () => {
    const showing = value.textContent === hook.secret;
    value.textContent = showing ? hidden(hook.secret) : hook.secret;
    toggle.textContent = t(showing ? "webhooks.show" : "webhooks.hide");
    toggle.setAttribute("aria-label", t(showing ? "webhooks.show_secret_of" : "webhooks.hide_secret_of", { title }));
  });
  const copy = button(t("admin.copy"), t("webhooks.copy_secret_of", { title }), () => copySecret(hook.secret));
  const roll = button(t("webhooks.roll"), t("webhooks.roll_secret_of", { title }), () => askToRoll(hook, title));
  return el("div", { className: "webhook__secret-row" },
    el("span", { className: "webhook__secret-label", text: t("webhooks.signing_secret") }), value, toggle, copy, roll);
}

function hidden(secret) {
  return `${secret.slice(0, 6)}${"•".repeat(24)}`;
}

async function copySecret(secret) {
  try {
    await navigator.clipboard.writeText(secret);
    toast.show(t("webhooks.secret_copied"));
  } catch {
    toast.show(t("webhooks.copy_failed"));
  }
}

// --- adding and editing ------------------------------------------------------------

function openEditor(hook) {
  editing = hook;
  form.reset();
  document.getElementById("webhook-dialog-title").textContent = t(hook ? "webhooks.edit_title" : "webhooks.add_title");
  form.querySelector("[data-submit]").textContent = t(hook ? "webhooks.save" : "webhooks.add");
  form.elements.url.value = hook?.url ?? "";
  form.elements.description.value = hook?.description ?? "";
  for (const box of form.querySelectorAll('input[name="events"]')) box.checked = hook ? hook.events.includes(box.value) : true;
  showDialogError(editDialog, "");
  setBusy(editDialog, false);
  editDialog.showModal();
  form.elements.url.focus();
}

async function save(event) {
  event.preventDefault();
  const body = {
    url: form.elements.url.value.trim(),
    description: form.elements.description.value.trim(),
    events: [...form.querySelectorAll('input[name="events"]:checked')].map((box) => box.value),
  };
  if (!body.url) return refuse(t("webhooks.url_required"), form.elements.url);
  if (!body.events.length) return refuse(t("webhooks.choose_event"), form.querySelector('input[name="events"]'));
  setBusy(editDialog, true);
  let saved;
  try {
    saved = await call(editing ? "PATCH" : "POST", editing ? `/admin/webhooks/${editing.id}` : "/admin/webhooks", body);
  } catch (error) {
    setBusy(editDialog, false);
    return refuse(error.message, form.elements.url);
  }
  setBusy(editDialog, false);
  editDialog.close();
  toast.show(t(editing ? "webhooks.saved" : "webhooks.added"));
  shownId = saved.id;
  await load();
}

function refuse(text, field) {
  showDialogError(editDialog, text);
  field.focus();
}

// --- confirmations: roll the secret, delete ----------------------------------------

function askToRoll(hook, title) {
  ask(t("webhooks.roll_question", { title }), t("webhooks.roll_text"), t("webhooks.roll"), async () => {
    await call("POST", `/admin/webhooks/${hook.id}/secret`);
    toast.show(t("webhooks.rolled"));
  });
}

function askToDelete(hook, title) {
  ask(t("webhooks.delete_question", { title }), t("webhooks.delete_text", { url: hook.url }), t("webhooks.delete"), async () => {
    await call("DELETE", `/admin/webhooks/${hook.id}`);
    toast.show(t("webhooks.deleted"));
  });
}

function ask(title, text, action, then) {
  document.getElementById("confirm-webhook-title").textContent = title;
  document.getElementById("confirm-webhook-text").textContent = text;
  document.getElementById("confirm-webhook-button").textContent = action;
  confirmed = then;
  showDialogError(confirmDialog, "");
  setBusy(confirmDialog, false);
  confirmDialog.showModal();
}

async function runConfirmed() {
  setBusy(confirmDialog, true);
  try {
    await confirmed();
  } catch (error) {
    setBusy(confirmDialog, false);
    showDialogError(confirmDialog, error.message);
    return;
  }
  setBusy(confirmDialog, false);
  confirmDialog.close();
  await load();
}

// --- the delivery log ----------------------------------------------------------------

function showDeliveries(hook) {
  shownId = hook.id;
  markShown(hook);
  deliveries.scrollIntoView({ behavior: "smooth", block: "start" });
}

function markShown(hook) {
  for (const item of list.children) {
    const show = item.querySelector("[data-show]");
    show.setAttribute("aria-pressed", String(Number(item.dataset.id) === shownId));
  }
  if (!hook) return;
  document.getElementById("deliveries-title").textContent = t("webhooks.deliveries_to", { title: hook.description || t("webhooks.the_endpoint") });
  document.getElementById("deliveries-hint").textContent = t("webhooks.deliveries_hint", { count: SHOWN_DELIVERIES, url: hook.url });
  loadDeliveries();
}

async function loadDeliveries() {
  if (shownId === null) return;
  const error = document.getElementById("deliveries-error");
  deliveryRows.setAttribute("aria-busy", "true");
  try {
    const log = (await call("GET", `/admin/webhooks/${shownId}/deliveries`)).deliveries;
    deliveryRows.replaceChildren(...log.map(deliveryRow));
    document.getElementById("deliveries-empty").hidden = log.length > 0;
    showError(error, "");
    clearTimeout(refreshTimer);
    if (log.some((delivery) => delivery.status === "pending")) refreshTimer = setTimeout(loadDeliveries, 3000);
  } catch (failure) {
    showError(error, t("webhooks.deliveries_failed", { reason: failure.message }));
  }
  deliveryRows.setAttribute("aria-busy", "false");
}

function deliveryRow(delivery) {
  const pill = el("span", { className: `status-pill delivery-status--${delivery.status}`, text: STATUSES.has(delivery.status) ? t(`webhooks.status.${delivery.status}`) : delivery.status });
  const cells = [
    el("td", { attrs: { "data-label": t("webhooks.column.time") } }, moment(delivery.last_attempt_at || delivery.created_at)),
    el("td", { attrs: { "data-label": t("webhooks.column.status") } }, pill),
    el("td", { text: String(delivery.attempts), attrs: { "data-label": t("webhooks.column.attempts") } }),
    el("td", { text: delivery.response_code === null ? "—" : String(delivery.response_code), attrs: { "data-label": t("webhooks.column.response") } }),
    el("td", { className: "deliveries-table__error", text: delivery.last_error || "—", attrs: { "data-label": t("webhooks.column.last_error") } }),
  ];
  const when = formatFull(delivery.created_at);
  const again = button(t("webhooks.send_again"), t("webhooks.send_again_named", { event: delivery.event, when }), () => sendAgain(delivery, again));
  again.disabled = delivery.status === "pending";
  return el("tr", { className: "agents-table__row" },
    el("th", { attrs: { scope: "row", "data-label": t("webhooks.column.event") } }, el("code", { text: delivery.event })),
    ...cells,
    el("td", { className: "agents-table__actions" }, again));
}

function moment(value) {
  return el("time", { text: `${dayLabel(value)}, ${formatClock(value)}`, attrs: { datetime: value, title: formatFull(value) } });
}

async function sendAgain(delivery, again) {
  again.disabled = true;
  try {
    await call("POST", `/admin/webhooks/${shownId}/deliveries/${delivery.id}/send`);
  } catch (error) {
    again.disabled = false;
    toast.show(t("webhooks.not_sent", { reason: error.message }));
    return;
  }
  toast.show(t("webhooks.sent_again", { event: delivery.event }));
  await loadDeliveries();
}
