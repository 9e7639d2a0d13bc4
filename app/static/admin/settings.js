// The Settings admin page: each control changes one desk setting at once.

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
    showError(`Could not load the settings: ${error.message}`);
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

function described(control) {
  if (control.type === "checkbox") return control.checked ? "on" : "off";
  if (control.type === "number") return `${control.value} ${control.dataset.unit || ""}`.trim();
  return control.selectedOptions[0].textContent.toLowerCase();
}

async function save(control) {
  const key = control.dataset.setting;
  if (!control.checkValidity()) {
    showError(`Not saved: ${control.labels[0].textContent}: ${control.validationMessage}`);
    show(saved);
    return;
  }
  control.disabled = true;
  try {
    show((await call("PATCH", "/settings", { [key]: valueOf(control) })).settings);
  } catch (error) {
    show(saved);
    showError(`Not saved: ${error.message}`);
    return;
  }
  showError("");
  toast.show(`Saved: ${control.labels[0].textContent} is ${described(control)}.`);
}

function showError(text) {
  pageError.textContent = text;
  pageError.hidden = !text;
}
