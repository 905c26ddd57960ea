// The side panel: the alerts of the newest analysis run, and an area's profile (every
// indicator against the city, sparklines, its alerts). It draws what app.js fetched (the
// store sequences those requests); server text goes in as text or escaped.

import { $, el } from "./common.js";
import { escapeHtml, formatValue } from "./lib/format.js";
import { userMessage } from "./lib/problem.js";
import { sparkline } from "./lib/sparkline.js";

export function showTab(name) {
  for (const tab of ["alerts", "profile"]) {
    $(tab).hidden = tab !== name;
    $(`tab-${tab}`).setAttribute("aria-selected", String(tab === name));
  }
}

export function showLoading() {
  showTab("profile");
  $("profile").replaceChildren(el("p", "Loading…"));
}

// A section's failure, with the server's explanation.
export function showFailure(section, what, error) {
  $(section).replaceChildren(el("p", `${what}: ${userMessage(error)}`, "failure"));
}

// An area's profile (/api/areas/{code}/profile), headed by an alert's charts if it was
// opened from one (charts: [{ title, series }]). onAlert(button.dataset) is called when one
// of its alerts is chosen.
export function showProfile(profile, onAlert, charts = []) {
  showTab("profile");
  const section = $("profile");
  const badge = (b) => {
    const label = b ? b.label : "not compared";
    const cls = ["better", "similar", "worse"].includes(label) ? label : "other";
    return `<span class="badge ${cls}">${escapeHtml(label)}</span>`;
  };
  const rows = profile.indicators.map((e) => `<tr><th scope="row">${escapeHtml(e.indicator.title)}</th>
    <td>${e.suppressed ? "suppressed" : escapeHtml(formatValue(e.value, e.indicator.unit))}<br><small>${escapeHtml(e.period)}</small></td>
    <td>${badge(e.benchmark)}</td><td>${sparkline(e.series)}</td></tr>`);
  section.innerHTML = `${chartsHtml(charts)}<h2>${escapeHtml(profile.area.name)} <small>(${escapeHtml(profile.area.code)})</small></h2>
    ${alertList(profile.alerts)}
    <table class="profile"><thead><tr><th>Indicator</th><th>Latest</th><th>Against the city</th><th>Recent</th></tr></thead>
    <tbody>${rows.join("")}</tbody></table>`;
  bindAlerts(section, onAlert);
}

function chartsHtml(charts) {
  if (!charts.length) return "";
  const figures = charts.map(({ title, series }) =>
    `<figure><figcaption>${escapeHtml(title)}</figcaption>${sparkline(series, 320, 70)}</figure>`);
  return `<div class="charts" id="alert-charts">${figures.join("")}</div>`;
}

function alertList(alerts) {
  if (!alerts.length) return "<p>No alerts.</p>";
  return alerts.map((a, i) => `<button type="button" class="alert ${escapeHtml(a.kind)}" data-index="${i}" data-area="${escapeHtml(a.area_code || "")}"
    data-type="${escapeHtml(a.area_type || "")}" data-indicators="${escapeHtml(a.indicators.join(","))}">
    <span class="kind">${escapeHtml(a.kind)}</span>: ${escapeHtml(a.sentence)}</button>`).join("");
}

function bindAlerts(container, onAlert) {
  for (const button of container.querySelectorAll("button.alert")) {
    button.addEventListener("click", () => onAlert(button.dataset));
  }
}

// The alerts of the newest run (/api/alerts), correlated first.
export function showAlerts(body, onAlert) {
  const order = { correlated: 0, deterioration: 1, hotspot: 2, gap: 3 };
  const alerts = body.alerts.sort((a, b) => order[a.kind] - order[b.kind]);
  $("alerts").innerHTML = body.run === null ? "<p>No analysis has run yet.</p>"
    : `<p>${alerts.length} alerts from analysis run ${escapeHtml(body.run)}, correlated first.</p>${alertList(alerts)}`;
  bindAlerts($("alerts"), onAlert);
}
