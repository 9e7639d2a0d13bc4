// The Settings admin page: each control changes one desk setting at once.

import { Toast } from "../inbox/toast.js";
import { call } from "./api.js";

const controls = [...document.querySelectorAll("[data-setting]")];
const pageError = document.getElementById("settings-error");
const toast = new Toast(document.getElementById("admin-toast"));

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
  for (const control of controls) {
    if (control.type === "checkbox") control.checked = Boolean(settings[control.dataset.setting]);
    else control.value = settings[control.dataset.setting];
    control.disabled = false;
  }
}

async function save(control) {
  const isSwitch = control.type === "checkbox";
  const value = isSwitch ? control.checked : control.value;
  control.disabled = true;
  try {
    show((await call("PATCH", "/settings", { [control.dataset.setting]: value })).settings);
  } catch (error) {
    if (isSwitch) control.checked = !control.checked;
    load();
    showError(`Not saved: ${error.message}`);
    return;
  }
  showError("");
  const state = isSwitch ? (control.checked ? "on" : "off") : control.selectedOptions[0].textContent.toLowerCase();
  toast.show(`Saved: ${control.labels[0].textContent} is ${state}.`);
}

function showError(text) {
  pageError.textContent = text;
  pageError.hidden = !text;
}
