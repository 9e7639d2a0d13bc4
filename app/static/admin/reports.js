// The Reports admin page: a period (two dates and quick choices, in the
// admin's time zone), the figures as tiles, charts (Chart.js, vendored; the
// global `Chart` of its classic script) each with a table beside it, the
// per-agent table, and the same figures as CSV downloads.

import { el } from "../common/dom.js";
import { formatLocale, t, textDirection } from "../common/i18n.js";
import "../inbox/i18n.js";
import { scoreWord } from "../inbox/rating.js";
import { call } from "./api.js";

const Chart = window.Chart;
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const DAY_MS = 24 * 60 * 60 * 1000;
const rtl = textDirection() === "rtl";
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
  if (s < 60) return t("duration.seconds", { count: s });
  const parts = [[86400, "duration.days"], [3600, "duration.hours"], [60, "duration.minutes"], [1, "duration.seconds"]];
  const shown = [];
  let rest = s;
  for (const [size, unit] of parts) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n || shown.length) shown.push(n ? t(unit, { count: n }) : null);
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
    const { period, totals } = report;
    $("report-status").textContent = t("report.showing", { from: period.from, to: period.to, count: totals.conversations });
  } catch (error) {
    showError(t("report.load_failed", { reason: error.message }));
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
  set("tile-conversations", integer.format(totals.conversations));
  set("tile-conversations-sub", t("report.answered_resolved", { answered: totals.answered, resolved: totals.resolved }));
  set("tile-first-response", formatDuration(totals.first_response.median));
  set("tile-first-response-sub", t("report.median_p90", { time: formatDuration(totals.first_response.p90) }));
  set("tile-resolution", formatDuration(totals.resolution.median));
  set("tile-resolution-sub", t("report.median_p90", { time: formatDuration(totals.resolution.p90) }));
  const { ratings } = totals;
  set("tile-rating", ratings.average === null ? "–" : t("report.average", { average: oneDecimal.format(ratings.average) }));
  set("tile-rating-sub", t("report.ratings_count", { count: ratings.count }));
}

const dayLabel = new Intl.DateTimeFormat(formatLocale(), { day: "numeric", month: "short", timeZone: "UTC" });
const dayLong = new Intl.DateTimeFormat(formatLocale(), { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const integer = new Intl.NumberFormat(formatLocale());
const oneDecimal = new Intl.NumberFormat(formatLocale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const twoDecimals = new Intl.NumberFormat(formatLocale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function renderDays(days) {
  const labels = days.map((d) => dayLabel.format(new Date(`${d.date}T00:00:00Z`)));
  const counts = days.map((d) => d.conversations);
  const total = counts.reduce((a, b) => a + b, 0);
  const busiest = days.reduce((best, d) => (d.conversations > (best?.conversations ?? -1) ? d : best), null);
  const most = busiest && busiest.conversations
    ? t("report.days_busiest", { day: dayLong.format(new Date(`${busiest.date}T00:00:00Z`)), count: busiest.conversations })
    : "";
  $("chart-days").setAttribute("aria-label", t("report.days_chart", { total, count: days.length, busiest: most }));
  drawChart("days", "bar", labels, [{ label: t("report.conversations"), data: counts, backgroundColor: "#1d6fd8", borderRadius: 3 }]);
  $("table-days").replaceChildren(...days.map((d) => el("tr", {},
    el("th", { attrs: { scope: "row" }, text: dayLong.format(new Date(`${d.date}T00:00:00Z`)) }),
    el("td", { text: integer.format(d.conversations) }))));
}

function renderRatings(ratings) {
  const counts = [1, 2, 3, 4, 5].map((s) => ratings.distribution[String(s)] || 0);
  const labels = [1, 2, 3, 4, 5].map((score) => t("report.score_stars", { score }));
  const each = counts.map((count, i) => t("report.count_of_score", { count, score: i + 1 }));
  $("chart-ratings").setAttribute("aria-label", ratings.count
    ? t("report.ratings_chart", { counts: list.format(each), average: oneDecimal.format(ratings.average) })
    : t("report.no_ratings"));
  drawChart("ratings", "bar", labels, [{
    label: t("report.ratings"), data: counts, borderRadius: 3,
    backgroundColor: ["#d92d20", "#f79009", "#fdb022", "#66c61c", "#17b26a"],
  }]);
  $("table-ratings").replaceChildren(...counts.map((n, i) => el("tr", {},
    el("th", { attrs: { scope: "row" }, text: t("report.score_word", { score: i + 1, word: scoreWord(i + 1) }) }),
    el("td", { text: integer.format(n) }))));
}

const list = new Intl.ListFormat(formatLocale(), { style: "narrow", type: "unit" });
const agentName = (row) => row.agent?.name ?? t("assignment.unassigned");
const minutes = (seconds) => (seconds === null ? null : Math.round(seconds / 6) / 10);

function renderAgents(agents, totals) {
  const times = agents.map((a) => t("report.agent_times", {
    name: agentName(a), first: formatDuration(a.first_response.median), resolution: formatDuration(a.resolution.median),
  }));
  $("chart-agents").setAttribute("aria-label", agents.length
    ? t("report.agents_chart", { agents: times.join("; ") })
    : t("report.no_conversations"));
  drawChart("agents", "bar", agents.map(agentName), [
    { label: t("report.first_response"), data: agents.map((a) => minutes(a.first_response.median)), backgroundColor: "#1d6fd8", borderRadius: 3 },
    { label: t("report.resolution"), data: agents.map((a) => minutes(a.resolution.median)), backgroundColor: "#7a5af8", borderRadius: 3 },
  ], { indexAxis: "y", legend: true });
  const row = (name, f, isTotal) => el("tr", { className: isTotal ? "report-table__total" : "" },
    el("th", { attrs: { scope: "row" }, text: name }),
    ...[
      f.conversations, f.answered, formatDuration(f.first_response.median), formatDuration(f.first_response.p90),
      f.resolved, formatDuration(f.resolution.median), formatDuration(f.resolution.p90), f.ratings.count,
      f.ratings.average === null ? "–" : twoDecimals.format(f.ratings.average),
    ].map((value) => el("td", { text: typeof value === "number" ? integer.format(value) : value })));
  $("table-agents").replaceChildren(row(t("report.all_agents"), totals, true), ...agents.map((a) => row(agentName(a), a, false)));
}

/**
 * Right to left, a chart reads from the right: the horizontal axis runs
 * leftwards and the vertical one stands on the right.
 * @param {"x"|"y"} indexAxis
 */
function mirrored(indexAxis) {
  if (!rtl) return {};
  const valueAxis = indexAxis === "x" ? "y" : "x";
  const across = { x: { reverse: true }, y: { position: "right" } };
  return { x: across.x, y: across.y, [valueAxis]: { ...across[valueAxis], beginAtZero: true, ticks: { precision: 0 } } };
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
      locale: formatLocale(),
      indexAxis,
      maintainAspectRatio: false,
      animation: reducedMotion ? false : { duration: 250 },
      plugins: { legend: { display: legend, position: "bottom", rtl }, tooltip: { rtl } },
      scales: { [valueAxis]: { beginAtZero: true, ticks: { precision: 0 } }, ...mirrored(indexAxis) },
    },
  });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!form.reportValidity()) return;
  if (fromInput.value > toInput.value) {
    showError(t("report.bad_period"));
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
