// The side panel: the alerts of the newest analysis run, and an area's profile (every
// indicator against the city, sparklines, its alerts).

import { $, api, escapeHtml, format } from "./common.js";

export function showTab(name) {
  for (const tab of ["alerts", "profile"]) {
    $(tab).hidden = tab !== name;
    $(`tab-${tab}`).setAttribute("aria-selected", String(tab === name));
  }
}

function sparkline(series, width = 120, height = 28) {
  const points = series.map((p, i) => [i, p.value]).filter(([, v]) => v !== null);
  if (points.length < 2) return "";
  const ys = points.map(([, v]) => v);
  const [lo, hi] = [Math.min(...ys), Math.max(...ys)];
  const x = (i) => (i / (series.length - 1)) * (width - 4) + 2;
  const y = (v) => height - 2 - ((v - lo) / (hi - lo || 1)) * (height - 4);
  const path = points.map(([i, v]) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  return `<svg width="${width}" height="${height}" role="img" aria-label="${series[0].period} to ${series.at(-1).period}"><polyline fill="none" stroke="#08519c" stroke-width="1.5" points="${path}"/></svg>`;
}

// onAlert(button.dataset) is called when one of its alerts is chosen.
export async function showProfile(code, onAlert) {
  showTab("profile");
  const section = $("profile");
  section.innerHTML = "<p>Loading…</p>";
  const profile = await api(`api/areas/${encodeURIComponent(code)}/profile`);
  const badge = (b) => {
    const label = b ? b.label : "not compared";
    const cls = ["better", "similar", "worse"].includes(label) ? label : "other";
    return `<span class="badge ${cls}">${escapeHtml(label)}</span>`;
  };
  const rows = profile.indicators.map((e) => `<tr><th scope="row">${escapeHtml(e.indicator.title)}</th>
    <td>${e.suppressed ? "suppressed" : format(e.value, { indicator: e.indicator })}<br><small>${escapeHtml(e.period)}</small></td>
    <td>${badge(e.benchmark)}</td><td>${sparkline(e.series)}</td></tr>`);
  section.innerHTML = `<h2>${escapeHtml(profile.area.name)} <small>(${escapeHtml(profile.area.code)})</small></h2>
    ${alertList(profile.alerts)}
    <table class="profile"><thead><tr><th>Indicator</th><th>Latest</th><th>Against the city</th><th>Recent</th></tr></thead>
    <tbody>${rows.join("")}</tbody></table>`;
  bindAlerts(section, onAlert);
}

function alertList(alerts) {
  if (!alerts.length) return "<p>No alerts.</p>";
  return alerts.map((a, i) => `<button type="button" class="alert ${a.kind}" data-index="${i}" data-area="${escapeHtml(a.area_code || "")}"
    data-type="${escapeHtml(a.area_type || "")}" data-indicators="${escapeHtml(a.indicators.join(","))}">
    <span class="kind">${escapeHtml(a.kind)}</span>: ${escapeHtml(a.sentence)}</button>`).join("");
}

function bindAlerts(container, onAlert) {
  for (const button of container.querySelectorAll("button.alert")) {
    button.addEventListener("click", () => onAlert(button.dataset));
  }
}

// The charts of an alert's indicators in its area, to head its profile.
export async function alertCharts(area, type, codes) {
  const charts = await Promise.all(codes.split(",").map(async (code) => {
    const data = await api(`api/observations?indicator=${encodeURIComponent(code)}&type=${encodeURIComponent(type)}&area=${encodeURIComponent(area)}`).catch(() => null);
    if (!data) return "";
    const series = data.observations.slice(-36).map((o) => ({ period: o.period, value: o.value }));
    return `<figure><figcaption>${escapeHtml(data.indicator.title)}</figcaption>${sparkline(series, 320, 70)}</figure>`;
  }));
  return `<div class="charts" id="alert-charts">${charts.join("")}</div>`;
}

export async function loadAlerts(onAlert) {
  const body = await api("api/alerts?limit=200");
  const order = { correlated: 0, deterioration: 1, hotspot: 2, gap: 3 };
  const alerts = body.alerts.sort((a, b) => order[a.kind] - order[b.kind]);
  $("alerts").innerHTML = body.run === null ? "<p>No analysis has run yet.</p>"
    : `<p>${alerts.length} alerts from analysis run ${body.run}, correlated first.</p>${alertList(alerts)}`;
  bindAlerts($("alerts"), onAlert);
}
