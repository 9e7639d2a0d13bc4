// The Reports admin page: a period (two dates and quick choices, in the
// admin's time zone), the figures as tiles, charts (Chart.js, vendored; the
// global `Chart` of its classic script) each with a table beside it, the
// per-agent table, and the same figures as CSV downloads.

import { el } from "../common/dom.js";
import { call } from "./api.js";

const Chart = window.Chart;
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const DAY_MS = 24 * 60 * 60 * 1000;
const SCORE_WORDS = ["Terrible", "Bad", "OK", "Good", "Great"];
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

const $ = (id) => document.getElementById(id);
const form = $("report-period");
const fromInput = $("report-from");
const toInput = $("report-to");
const body = $("report-body");
const charts = {};

/**
 * A duration in seconds as people say it: "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h".
 * @param {number|null} seconds
 * @returns {string}
 */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const parts = [[86400, "d"], [3600, "h"], [60, "min"], [1, "s"]];
  const shown = [];
  let rest = s;
  for (const [size, unit] of parts) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n || shown.length) shown.push(n ? `${n} ${unit}` : null);
    if (shown.length === 2) break;
  }
  return shown.filter(Boolean).join(" ");
}

/** Today in the admin's time zone, as YYYY-MM-DD. */
function today() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date());
}

/** The day `days` before an ISO date (calendar arithmetic in UTC: no DST). */
function daysBefore(isoDate, days) {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);
}

function query(extra = {}) {
  return new URLSearchParams({ from: fromInput.value, to: toInput.value, tz: zone, ...extra });
}

function setPeriod(days) {
  toInput.value = today();
  fromInput.value = daysBefore(toInput.value, days - 1);
}

function readPeriodFromAddress() {
  const params = new URLSearchParams(window.location.search);
  const valid = (value) => /^\d{4}-\d{2}-\d{2}$/.test(value || "");
  if (valid(params.get("from")) && valid(params.get("to"))) {
    fromInput.value = params.get("from");
    toInput.value = params.get("to");
  } else {
    setPeriod(30);
  }
}

async function load() {
  showError("");
  body.setAttribute("aria-busy", "true");
  window.history.replaceState(null, "", `?${new URLSearchParams({ from: fromInput.value, to: toInput.value })}`);
  try {
    const report = await call("GET", `/admin/reports?${query()}`);
    render(report);
    $("report-status").textContent = `Showing ${report.period.from} to ${report.period.to}: ${report.totals.conversations} conversations.`;
  } catch (error) {
    showError(`Could not load the report: ${error.message}`);
  } finally {
    body.setAttribute("aria-busy", "false");
  }
}

function showError(text) {
  $("report-error").textContent = text;
  $("report-error").hidden = !text;
}

function render(report) {
  const { totals } = report;
  renderTiles(totals);
  renderDays(report.days);
  renderRatings(totals.ratings);
  renderAgents(report.agents, totals);
  for (const kind of ["agents", "days", "conversations"]) {
    $(`export-${kind}`).href = `/api/v1/admin/reports.csv?${query({ kind })}`;
  }
}

function renderTiles(totals) {
  const set = (id, text) => { $(id).textContent = text; };
  set("tile-conversations", String(totals.conversations));
  set("tile-conversations-sub", `${totals.answered} answered · ${totals.resolved} resolved`);
  set("tile-first-response", formatDuration(totals.first_response.median));
  set("tile-first-response-sub", `median · p90 ${formatDuration(totals.first_response.p90)}`);
  set("tile-resolution", formatDuration(totals.resolution.median));
  set("tile-resolution-sub", `median · p90 ${formatDuration(totals.resolution.p90)}`);
  const { ratings } = totals;
  set("tile-rating", ratings.average === null ? "–" : `${ratings.average.toFixed(1)} / 5`);
  set("tile-rating-sub", `${ratings.count} rating${ratings.count === 1 ? "" : "s"}`);
}

const dayLabel = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
const dayLong = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

function renderDays(days) {
  const labels = days.map((d) => dayLabel.format(new Date(`${d.date}T00:00:00Z`)));
  const counts = days.map((d) => d.conversations);
  const total = counts.reduce((a, b) => a + b, 0);
  const busiest = days.reduce((best, d) => (d.conversations > (best?.conversations ?? -1) ? d : best), null);
  $("chart-days").setAttribute("aria-label", `Bar chart of conversations per day: ${total} in ${days.length} days` +
    (busiest && busiest.conversations ? `, most on ${dayLong.format(new Date(`${busiest.date}T00:00:00Z`))} (${busiest.conversations})` : "") +
    ". The table below has each day.");
  drawChart("days", "bar", labels, [{ label: "Conversations", data: counts, backgroundColor: "#1d6fd8", borderRadius: 3 }]);
  $("table-days").replaceChildren(...days.map((d) => el("tr", {},
    el("th", { attrs: { scope: "row" }, text: dayLong.format(new Date(`${d.date}T00:00:00Z`)) }),
    el("td", { text: String(d.conversations) }))));
}

function renderRatings(ratings) {
  const counts = [1, 2, 3, 4, 5].map((s) => ratings.distribution[String(s)] || 0);
  const labels = [1, 2, 3, 4, 5].map((s) => `${s} ★`);
  $("chart-ratings").setAttribute("aria-label", ratings.count
    ? `Bar chart of ratings by score: ${counts.map((n, i) => `${n} of ${i + 1}`).join(", ")}; average ${ratings.average.toFixed(1)}.`
    : "No ratings in this period.");
  drawChart("ratings", "bar", labels, [{
    label: "Ratings", data: counts, borderRadius: 3,
    backgroundColor: ["#d92d20", "#f79009", "#fdb022", "#66c61c", "#17b26a"],
  }]);
  $("table-ratings").replaceChildren(...counts.map((n, i) => el("tr", {},
    el("th", { attrs: { scope: "row" }, text: `${i + 1} – ${SCORE_WORDS[i]}` }),
    el("td", { text: String(n) }))));
}

const agentName = (row) => row.agent?.name ?? "Unassigned";
const minutes = (seconds) => (seconds === null ? null : Math.round(seconds / 6) / 10);

function renderAgents(agents, totals) {
  $("chart-agents").setAttribute("aria-label", agents.length
    ? `Bar chart of median first response and resolution times per agent, in minutes: ${agents.map((a) =>
      `${agentName(a)} ${formatDuration(a.first_response.median)} and ${formatDuration(a.resolution.median)}`).join("; ")}.`
    : "No conversations in this period.");
  drawChart("agents", "bar", agents.map(agentName), [
    { label: "First response", data: agents.map((a) => minutes(a.first_response.median)), backgroundColor: "#1d6fd8", borderRadius: 3 },
    { label: "Resolution", data: agents.map((a) => minutes(a.resolution.median)), backgroundColor: "#7a5af8", borderRadius: 3 },
  ], { indexAxis: "y", legend: true });
  const row = (name, f, isTotal) => el("tr", { className: isTotal ? "report-table__total" : "" },
    el("th", { attrs: { scope: "row" }, text: name }),
    ...[
      f.conversations, f.answered, formatDuration(f.first_response.median), formatDuration(f.first_response.p90),
      f.resolved, formatDuration(f.resolution.median), formatDuration(f.resolution.p90), f.ratings.count,
      f.ratings.average === null ? "–" : f.ratings.average.toFixed(2),
    ].map((value) => el("td", { text: String(value) })));
  $("table-agents").replaceChildren(row("All agents", totals, true), ...agents.map((a) => row(agentName(a), a, false)));
}

function drawChart(name, type, labels, datasets, { indexAxis = "x", legend = false } = {}) {
  if (!Chart) return;
  if (charts[name]) {
    charts[name].data.labels = labels;
    charts[name].data.datasets = datasets;
    charts[name].update();
    return;
  }
  const valueAxis = indexAxis === "x" ? "y" : "x";
  charts[name] = new Chart($(`chart-${name}`), {
    type,
    data: { labels, datasets },
    options: {
      indexAxis,
      maintainAspectRatio: false,
      animation: reducedMotion ? false : { duration: 250 },
      plugins: { legend: { display: legend, position: "bottom" } },
      scales: { [valueAxis]: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!form.reportValidity()) return;
  if (fromInput.value > toInput.value) {
    showError("The first day must not be after the last.");
    return;
  }
  load();
});
for (const button of form.querySelectorAll("[data-days]")) {
  button.addEventListener("click", () => {
    setPeriod(Number(button.dataset.days));
    load();
  });
}

if (Chart) {
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#5b6473";
}
$("report-zone").textContent = zone;
readPeriodFromAddress();
load();
