// The Settings page's business hours (a weekly schedule in a time zone,
// saved at once with "Save hours") and the minutes after which an unseen
// reply is emailed (saved when changed).

import { el } from "../common/dom.js";
import { formatLocale, t } from "../common/i18n.js";
import "../inbox/i18n.js";
import { Toast } from "../inbox/toast.js";
import { call } from "./api.js";

/** The week from Monday, each day's key and name in the page's language. */
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((key, index) => [key, weekdayName(index)]);
const MAX_INTERVALS = 4;
const MAX_MINUTES = 1440;

const form = document.getElementById("hours-form");
const enabled = document.getElementById("hours-enabled");
const zone = document.getElementById("hours-timezone");
const week = form.querySelector(".hours__week");
const dayList = document.getElementById("hours-days");
const saveButton = document.getElementById("hours-save");
const pageError = document.getElementById("hours-error");
const minutes = document.getElementById("setting-email_unseen_reply_minutes");
const toast = new Toast(document.getElementById("admin-toast"));

/** Each day's list element of intervals, by key. */
const dayRows = new Map();

buildDays();
form.addEventListener("submit", (event) => {
  event.preventDefault();
  saveHours();
});
minutes.addEventListener("change", saveMinutes);
load();

async function load() {
  try {
    showSettings((await call("GET", "/settings")).settings);
  } catch (error) {
    showError(t("settings.load_failed", { reason: error.message }));
  }
}

function showSettings(settings) {
  const schedule = settings.business_hours;
  enabled.checked = schedule.enabled;
  fillZones(schedule.timezone);
  for (const [key] of DAYS) {
    const list = dayRows.get(key);
    list.replaceChildren(...schedule.days[key].map((interval) => intervalRow(key, interval)));
    refreshDay(key);
  }
  minutes.value = String(settings.email_unseen_reply_minutes);
  for (const control of [enabled, zone, week, saveButton, minutes]) control.disabled = false;
}

function fillZones(selected) {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const names = [...new Set(["UTC", ...zones, selected])].sort();
  zone.replaceChildren(...names.map((name) => el("option", { text: name.replaceAll("_", " "), attrs: { value: name } })));
  zone.value = selected;
}

function buildDays() {
  for (const [key, name] of DAYS) {
    const list = el("ul", { className: "hours__intervals", attrs: { "aria-label": t("hours.day_hours", { day: name }) } });
    const closed = el("span", { className: "hours__closed", text: t("hours.closed") });
    const add = el("button", {
      className: "button button--quiet button--small",
      attrs: { type: "button", "aria-label": t("hours.add_on", { day: name }), "data-add": "" },
      text: t("hours.add"),
    });
    add.addEventListener("click", () => {
      const last = [...list.querySelectorAll("input[type=time]")].at(-1)?.value;
      const start = last && last < "23:00" ? last : "09:00";
      list.append(intervalRow(key, { start, end: last && last < "23:00" ? "23:00" : "17:00" }));
      refreshDay(key);
      list.lastElementChild.querySelector("input").focus();
    });
    dayRows.set(key, list);
    dayList.append(el("li", { className: "hours__day", attrs: { "data-day": key } },
      el("span", { className: "hours__day-name", text: name }),
      el("div", { className: "hours__day-body" }, closed, list, add)));
  }
}

function intervalRow(key, { start, end }) {
  const name = DAYS.find(([day]) => day === key)[1];
  const row = el("li", { className: "hours__interval" });
  const from = timeInput(t("hours.opens_at", { day: name }), start);
  const to = timeInput(t("hours.closes_at", { day: name }), end === "24:00" ? "00:00" : end);
  const remove = el("button", { className: "button button--quiet button--small", attrs: { type: "button" }, text: t("hours.remove") });
  const label = () => remove.setAttribute("aria-label", t("hours.remove_named", { day: name, start: from.value, end: to.value }));
  from.addEventListener("input", label);
  to.addEventListener("input", label);
  label();
  remove.addEventListener("click", () => {
    row.remove();
    refreshDay(key);
  });
  row.append(from, el("span", { className: "hours__to", text: t("hours.to") }), to, remove);
  return row;
}

function timeInput(label, value) {
  return el("input", {
    className: "field__input field__input--compact hours__time",
    attrs: { type: "time", step: "60", required: "", value, "aria-label": label },
  });
}

function refreshDay(key) {
  const list = dayRows.get(key);
  const body = list.parentElement;
  body.querySelector(".hours__closed").hidden = list.children.length > 0;
  body.querySelector("button[data-add]").hidden = list.children.length >= MAX_INTERVALS;
}

/** The schedule as the form shows it; a closing time of 00:00 ends the day (24:00). */
function schedule() {
  const days = {};
  for (const [key] of DAYS) {
    days[key] = [...dayRows.get(key).children].map((row) => {
      const [start, end] = [...row.querySelectorAll("input")].map((input) => input.value);
      return { start, end: end === "00:00" ? "24:00" : end };
    });
  }
  return { enabled: enabled.checked, timezone: zone.value, days };
}

async function saveHours() {
  const value = schedule();
  const blank = Object.values(value.days).flat().some(({ start, end }) => !start || !end);
  if (blank) return showError(t("hours.blank"));
  saveButton.disabled = true;
  try {
    showSettings((await call("PATCH", "/settings", { business_hours: value })).settings);
  } catch (error) {
    saveButton.disabled = false;
    showError(t("admin.not_saved", { reason: readable(error.message) }));
    return;
  }
  showError("");
  toast.show(t(value.enabled ? "hours.saved_on" : "hours.saved_off"));
}

async function saveMinutes() {
  const value = Number(minutes.value);
  if (!Number.isInteger(value) || value < 1 || value > MAX_MINUTES) {
    showError(t("email.minutes_invalid", { min: 1, max: MAX_MINUTES }));
    return;
  }
  minutes.disabled = true;
  try {
    showSettings((await call("PATCH", "/settings", { email_unseen_reply_minutes: value })).settings);
  } catch (error) {
    minutes.disabled = false;
    showError(t("admin.not_saved", { reason: error.message }));
    return;
  }
  showError("");
  toast.show(t("email.saved", { count: value }));
}

/** The server names the field ("business_hours.days.mon.0"): say it as a person would. */
function readable(message) {
  const match = /^business_hours\.days\.(\w+)[^:]*: (?:Value error, )?(.*)$/.exec(message || "");
  if (!match) return message;
  const day = DAYS.find(([key]) => key === match[1])?.[1] ?? match[1];
  return t("hours.day_error", { day, reason: match[2] });
}

/**
 * A weekday's name, capitalised as a label, e.g. "Monday" or "Lunes".
 * @param {number} index 0 for Monday
 */
function weekdayName(index) {
  const monday = Date.UTC(2024, 0, 1); // a Monday
  const name = new Intl.DateTimeFormat(formatLocale(), { weekday: "long", timeZone: "UTC" }).format(monday + index * 86_400_000);
  return name.charAt(0).toLocaleUpperCase(formatLocale()) + name.slice(1);
}

function showError(text) {
  pageError.textContent = text;
  pageError.hidden = !text;
  if (text) pageError.scrollIntoView({ block: "nearest" });
}
