// The Settings admin page: each control changes one desk setting at once.

import { t } from "../common/i18n.js";
import "../inbox/i18n.js";
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
    showError(t("settings.load_failed", { reason: error.message }));
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
    showError(t("settings.not_saved", { reason: error.message }));
    return;
  }
  showError("");
  toast.show(t(control.checked ? "settings.saved_on" : "settings.saved_off", { name: control.labels[0].textContent }));
}

function showError(text) {
  pageError.textContent = text;
  pageError.hidden = !text;
}
