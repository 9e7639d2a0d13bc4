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
    control.checked = Boolean(settings[control.dataset.setting]);
    control.disabled = false;
  }
}

async function save(control) {
  control.disabled = true;
  try {
    show((await call("PATCH", "/settings", { [control.dataset.setting]: control.checked })).settings);
  } catch (error) {
    control.checked = !control.checked;
    control.disabled = false;
    showError(`Not saved: ${error.message}`);
    return;
  }
  showError("");
  toast.show(`Saved: ${control.labels[0].textContent} is ${control.checked ? "on" : "off"}.`);
}

function showError(text) {
  pageError.textContent = text;
  pageError.hidden = !text;
}
