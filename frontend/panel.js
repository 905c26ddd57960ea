// The side panel's tabs (alerts: alerts-panel.js; an area's profile: profile-panel.js;
// the gap; comparing every area), loading and failure, and the gap view. It draws what
// app.js fetched (the store sequences those requests), building elements: server text is
// only ever set as text.

import { $, el } from "./common.js";
import { gapChart, latestGap } from "./lib/gap-chart.js";
import { userMessage } from "./lib/problem.js";

const SVG = "http://www.w3.org/2000/svg";

export const TABS = ["alerts", "profile", "gap", "compare"];

export function showTab(name) {
  for (const tab of TABS) {
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
