// The Settings admin page: each control changes one desk setting at once.

import { t } from "../common/i18n.js";
import "../inbox/i18n.js";
import { Toast } from "../inbox/toast.js";
import { call } from "./api.js";

const controls = [...document.querySelectorAll("[data-setting]")];
const pageError = document.getElementById("settings-error");
const toast = new Toast(document.getElementById("admin-toast"));
let saved = {};

for (const control of controls) control.addEventListener("change", () => save(control));
load();

async function load() {
  try {
    show((await call("GET", "/settings")).settings);
  } catch (error) {
    showError(t("settings.load_failed", { reason: error.message }));
  }
}

function show(settings) {
  saved = settings;
  for (const control of controls) {
    const value = settings[control.dataset.setting];
    if (control.type === "checkbox") control.checked = Boolean(value);
    else control.value = String(value);
    control.disabled = false;
  }
}

function valueOf(control) {
  if (control.type === "checkbox") return control.checked;
  if (control.type === "number") return control.value.trim() === "" ? null : Number(control.value);
  return control.value;
}

function savedText(control) {
  const name = control.labels[0].textContent;
  if (control.type === "checkbox") return t(control.checked ? "settings.saved_on" : "settings.saved_off", { name });
  const value = control.type === "number"
    ? `${control.value} ${control.dataset.unit || ""}`.trim()
    : control.selectedOptions[0].textContent.toLowerCase();
  return t("settings.saved_value", { name, value });
}

async function save(control) {
  const key = control.dataset.setting;
  if (!control.checkValidity()) {
    showError(t("settings.not_saved", { reason: `${control.labels[0].textContent}: ${control.validationMessage}` }));
    show(saved);
    return;
  }
  control.disabled = true;
  try {
    show((await call("PATCH", "/settings", { [key]: valueOf(control) })).settings);
  } catch (error) {
    show(saved);
    showError(t("settings.not_saved", { reason: error.message }));
    return;
  }
  showError("");
  toast.show(savedText(control));
}

function showError(text) {
  pageError.textContent = text;
  pageError.hidden = !text;
}
