// The Webhooks admin page: endpoints (add, edit, delete, see and roll the
// secret) and the chosen endpoint's delivery log, with "Send again".

import { el } from "../common/dom.js";
import { dayLabel, formatClock, formatFull } from "../common/time.js";
import { Toast } from "../inbox/toast.js";
import { call } from "./api.js";
import { setBusy, showDialogError, wireDialog } from "./dialogs.js";

const STATUS_LABELS = { pending: "Pending", delivered: "Delivered", failed: "Failed", dropped: "Dropped" };
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
    showError(pageError, `Could not load the webhooks: ${error.message}`);
  }
  list.setAttribute("aria-busy", "false");
}

function showError(line, text) {
  line.textContent = text;
  line.hidden = !text;
}

function endpointItem(hook) {
  const title = hook.description || "Endpoint";
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
    el("ul", { className: "webhook__events", attrs: { "aria-label": `Events sent to ${title}` } },
      ...hook.events.map((name) => el("li", { className: "tag webhook__event", text: name }))),
    secretRow(hook, title),
  );
}

function endpointActions(hook, title) {
  const show = button("Deliveries", `Show deliveries to ${title}`, () => showDeliveries(hook));
  show.dataset.show = "";
  const edit = button("Edit", `Edit ${title}`, () => openEditor(hook));
  const remove = button("Delete", `Delete ${title}`, () => askToDelete(hook, title));
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
  const toggle = button("Show", `Show secret of ${title}`, () => {
    const showing = value.textContent === hook.secret;
    value.textContent = showing ? hidden(hook.secret) : hook.secret;
    toggle.textContent = showing ? "Show" : "Hide";
    toggle.setAttribute("aria-label", `${toggle.textContent} secret of ${title}`);
  });
  const copy = button("Copy", `Copy secret of ${title}`, () => copySecret(hook.secret));
  const roll = button("Roll secret", `Roll secret of ${title}`, () => askToRoll(hook, title));
  return el("div", { className: "webhook__secret-row" },
    el("span", { className: "webhook__secret-label", text: "Signing secret" }), value, toggle, copy, roll);
}

function hidden(secret) {
  return `${secret.slice(0, 6)}${"•".repeat(24)}`;
}

async function copySecret(secret) {
  try {
    await navigator.clipboard.writeText(secret);
    toast.show("Secret copied.");
  } catch {
    toast.show("Could not copy: press Show, then select and copy the secret.");
  }
}

// --- adding and editing ------------------------------------------------------------

function openEditor(hook) {
  editing = hook;
  form.reset();
  document.getElementById("webhook-dialog-title").textContent = hook ? "Edit endpoint" : "Add an endpoint";
  form.querySelector("[data-submit]").textContent = hook ? "Save" : "Add endpoint";
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
  if (!body.url) return refuse("The URL is required.", form.elements.url);
  if (!body.events.length) return refuse("Choose at least one event.", form.querySelector('input[name="events"]'));
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
  toast.show(editing ? "Endpoint saved." : "Endpoint added. Give its signing secret to the receiver.");
  shownId = saved.id;
  await load();
}

function refuse(text, field) {
  showDialogError(editDialog, text);
  field.focus();
}

// --- confirmations: roll the secret, delete ----------------------------------------

function askToRoll(hook, title) {
  ask(`Roll secret of ${title}?`, "Deliveries from now on, retries included, are signed with a new secret. The receiver must use it at once.", "Roll secret", async () => {
    await call("POST", `/admin/webhooks/${hook.id}/secret`);
    toast.show("New secret made. Give it to the receiver.");
  });
}

function askToDelete(hook, title) {
  ask(`Delete ${title}?`, `Nothing more is sent to ${hook.url}, and its delivery log is deleted.`, "Delete", async () => {
    await call("DELETE", `/admin/webhooks/${hook.id}`);
    toast.show("Endpoint deleted.");
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
  document.getElementById("deliveries-title").textContent = `Deliveries to ${hook.description || "the endpoint"}`;
  document.getElementById("deliveries-hint").textContent = `The 50 newest, to ${hook.url}. Failed ones are retried with growing waits.`;
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
    showError(error, `Could not load the deliveries: ${failure.message}`);
  }
  deliveryRows.setAttribute("aria-busy", "false");
}

function deliveryRow(delivery) {
  const pill = el("span", { className: `status-pill delivery-status--${delivery.status}`, text: STATUS_LABELS[delivery.status] });
  const cells = [
    el("td", { attrs: { "data-label": "Time" } }, moment(delivery.last_attempt_at || delivery.created_at)),
    el("td", { attrs: { "data-label": "Status" } }, pill),
    el("td", { text: String(delivery.attempts), attrs: { "data-label": "Attempts" } }),
    el("td", { text: delivery.response_code === null ? "—" : String(delivery.response_code), attrs: { "data-label": "Response" } }),
    el("td", { className: "deliveries-table__error", text: delivery.last_error || "—", attrs: { "data-label": "Last error" } }),
  ];
  const again = button("Send again", `Send again: ${delivery.event}, ${formatFull(delivery.created_at)}`, () => sendAgain(delivery, again));
  again.disabled = delivery.status === "pending";
  return el("tr", { className: "agents-table__row" },
    el("th", { attrs: { scope: "row", "data-label": "Event" } }, el("code", { text: delivery.event })),
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
    toast.show(`Not sent: ${error.message}`);
    return;
  }
  toast.show(`The ${delivery.event} delivery is on its way again.`);
  await loadDeliveries();
}
