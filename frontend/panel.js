// The side panel: the alerts of the newest analysis run, and an area's profile (every
// indicator against the city and against similar areas, sparklines, its alerts). It draws what app.js fetched (the
// store sequences those requests), building elements: server text is only ever set as text.

import { $, el } from "./common.js";
import { cityComparison, similarComparison } from "./lib/comparison.js";
import { groupAlerts } from "./lib/alerts.js";
import { formatValue } from "./lib/format.js";
import { gapChart, latestGap } from "./lib/gap-chart.js";
import { userMessage } from "./lib/problem.js";
import { sparkline } from "./lib/sparkline.js";

const SVG = "http://www.w3.org/2000/svg";
const PROFILE_LINE = 80; // px: four columns, two comparisons each, in a 26rem panel

export function showTab(name) {
  for (const tab of ["alerts", "profile", "gap"]) {
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
  const heading = el("h2", `${profile.area.name} `);
  heading.append(el("small", `(${profile.area.code})`));
  const table = el("table", "", "profile");
  const head = table.createTHead().insertRow();
  for (const title of ["Indicator", "Latest", "Compared with", "Recent"]) head.append(el("th", title));
  const body = table.createTBody();
  for (const e of profile.indicators) {
    const row = body.insertRow();
    const name = el("th", e.indicator.title);
    name.scope = "row";
    const latest = el("td", e.suppressed ? "suppressed" : formatValue(e.value, e.indicator.unit));
    latest.append(el("br"), el("small", e.period));
    if (e.estimated) latest.append(el("br"), el("small", e.estimated, e.low_fit ? "estimated low-fit" : "estimated"));
    const compared = el("td", "", "compared");
    compared.append(badge(cityComparison(e.benchmark)), badge(similarComparison(e.similar, e.similar_why)));
    row.append(name, latest, compared, cell(line(e.series, PROFILE_LINE)));
  }
  $("profile").replaceChildren(...chartsOf(charts), heading, ...alertList(profile.alerts, onAlert), table);
}

function cell(content) {
  const td = el("td");
  if (content) td.append(content);
  return td;
}

// One comparison on a line of its own: what against, then its word, the values in the title.
function badge(comparison) {
  const line = el("div", "", "comparison");
  line.title = comparison.title;
  line.append(el("span", comparison.what, "against"), " ", el("span", comparison.label, `badge ${comparison.tone}`));
  return line;
}

// A series as an SVG line, or null (fewer than two values).
function line(series, width, height) {
  const shape = sparkline(series, width, height);
  if (!shape) return null;
  const svg = document.createElementNS(SVG, "svg");
  for (const [name, value] of [["width", shape.width], ["height", shape.height], ["role", "img"], ["aria-label", shape.label]]) {
    svg.setAttribute(name, String(value));
  }
  const polyline = document.createElementNS(SVG, "polyline");
  for (const [name, value] of [["fill", "none"], ["stroke", "#08519c"], ["stroke-width", "1.5"], ["points", shape.points]]) {
    polyline.setAttribute(name, value);
  }
  svg.append(polyline);
  return svg;
}

function chartsOf(charts) {
  if (!charts.length) return [];
  const box = el("div", "", "charts");
  box.id = "alert-charts";
  box.append(...charts.map(({ title, series }) => {
    const figure = el("figure");
    figure.append(el("figcaption", title));
    const chart = line(series, 320, 70);
    if (chart) figure.append(chart);
    return figure;
  }));
  return [box];
}

const GAP_COLOURS = { mostDeprived: "#a50026", rest: "#08519c" };

// The gap view (/api/gaps/{indicator}): the verdict in words, the two groups over time
// with their 95% bands, and the latest gap, SII and how the groups were made.
export function showGap(body) {
  const heading = el("h2", `Gap: ${body.indicator.title}`);
  const verdict = el("p", body.sentence, "verdict");
  verdict.id = "gap-verdict";
  const parts = [heading, verdict];
  const chart = gapSvg(body.periods);
  if (chart) {
    const figure = el("figure", "", "gap-chart");
    const key = el("figcaption");
    for (const [name, label] of [["mostDeprived", `Most deprived ${body.group}`], ["rest", "Rest of the city"]]) {
      const swatch = el("span", "", "swatch");
      swatch.style.background = GAP_COLOURS[name];
      key.append(swatch, ` ${label} `);
    }
    key.append(el("small", "(lines: values; bands: 95% intervals)"));
    figure.append(chart, key);
    parts.push(figure);
  }
  const latest = latestGap(body.periods, body.group);
  if (latest) {
    parts.push(el("h3", `Latest: ${latest.period}`));
    const list = el("ul", "", "gap-latest");
    list.append(...latest.lines.map((line) => el("li", line)));
    parts.push(list);
  }
  const trend = `Trend of the absolute gap: ${body.trend.words}; of the relative gap: ${body.relative_trend.words}.`;
  parts.push(el("p", trend));
  parts.push(el("p", `Groups: ${body.description}. ${body.measure}${body.pooled ? `; ${body.pooled}` : ""}.`, "why"));
  for (const note of body.notes) parts.push(el("p", note, "why"));
  $("gap").replaceChildren(...parts);
}

function gapSvg(periods) {
  const shape = gapChart(periods);
  if (!shape) return null;
  const svg = document.createElementNS(SVG, "svg");
  for (const [name, value] of [["width", shape.width], ["height", shape.height], ["role", "img"], ["aria-label", `Both groups, ${shape.label}`]]) {
    svg.setAttribute(name, String(value));
  }
  for (const name of ["rest", "mostDeprived"]) {
    const band = document.createElementNS(SVG, "polygon");
    for (const [attr, value] of [["fill", GAP_COLOURS[name]], ["fill-opacity", "0.2"], ["stroke", "none"], ["points", shape[name].band]]) {
      band.setAttribute(attr, value);
    }
    const line = document.createElementNS(SVG, "polyline");
    for (const [attr, value] of [["fill", "none"], ["stroke", GAP_COLOURS[name]], ["stroke-width", "2"], ["points", shape[name].points]]) {
      line.setAttribute(attr, value);
    }
    line.dataset.group = name;
    svg.append(band, line);
  }
  return svg;
}

// One button per alert, labelled with its kind and area type; choosing one calls onAlert
// with its area, type and indicators (app.js switches the map to that type).
function alertList(alerts, onAlert) {
  if (!alerts.length) return [el("p", "No alerts.")];
  return alerts.map((a) => {
    const button = el("button", "", `alert ${a.kind}`);
    button.type = "button";
    Object.assign(button.dataset, { area: a.area_code || "", type: a.area_type || "", indicators: a.indicators.join(",") });
    button.append(el("span", a.kind, "kind"), " ");
    if (a.area_type_name) button.append(el("span", a.area_type_name, "area-type"));
    button.append(`: ${a.sentence}`);
    button.addEventListener("click", () => onAlert(button.dataset));
    return button;
  });
}

// The alerts of the newest run (/api/alerts), by area type (typeOrder: codes, finest
// first), correlated first within each.
export function showAlerts(body, onAlert, typeOrder = []) {
  if (body.run === null) {
    $("alerts").replaceChildren(el("p", "No analysis has run yet."));
    return;
  }
  const groups = groupAlerts(body.alerts, typeOrder);
  const sections = groups.map((group) => {
    const section = el("section", "", "alert-group");
    section.dataset.type = group.type;
    const title = group.name || "Other alerts";
    section.append(el("h3", `${title}: ${group.alerts.length} alert${group.alerts.length === 1 ? "" : "s"}`), ...alertList(group.alerts, onAlert));
    return section;
  });
  const intro = `${body.alerts.length} alerts from analysis run ${body.run}, by area type, correlated first.`;
  $("alerts").replaceChildren(el("p", intro), ...sections);
}
