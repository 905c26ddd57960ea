// An area's profile (/api/areas/{code}/profile) in the side panel, as the best public
// health profiles show one: the indicators by partner and topic, each with the area's
// value over its window and its interval, the city's value, the comparisons with the city
// and with similar areas, the recent trend in a word, and a spine chart of where the area
// stands among all areas; a row opens to its definition, source, licence and trend chart.
// Opened from an alert, the alert's indicators' charts come first, with the city line and
// the alert's window, and their rows say the alert's window beside their own. Server text
// is only ever set as text.

import { alertList } from "./alerts-panel.js";
import { spineFigure, trendFigure } from "./charts.js";
import { $, el } from "./common.js";
import { showTab } from "./panel.js";
import { windowText } from "./lib/alert-view.js";
import { cityComparison, similarComparison } from "./lib/comparison.js";
import { reportPaths } from "./lib/paths.js";
import { groupEntries, rowText } from "./lib/profile-view.js";

const TREND_TONES = { "getting worse": "worse", "getting better": "better" };

// context: { onAlert(alert), catalogue: the indicators (/api/indicators), alert: the alert
// the profile was opened from, or null }.
export function showProfile(profile, { onAlert, catalogue = [], alert = null }) {
  showTab("profile");
  const heading = el("h2", `${profile.area.name} `);
  heading.append(el("small", `(${profile.area.code})`));
  const about = new Map(catalogue.map((i) => [i.code, i]));
  const parts = [heading, reportTools(profile.area.code)];
  if (alert) parts.push(...alertCharts(profile, alert));
  parts.push(el("h3", "Alerts here"), ...alertList(profile.alerts, onAlert));
  for (const group of groupEntries(profile.indicators, profile.groups)) {
    const section = el("section", "", "profile-group");
    section.dataset.agency = group.agency;
    section.append(el("h3", group.heading), groupTable(group.entries, about, alert));
    parts.push(section);
  }
  parts.push(el("p", `Compared with ${profile.benchmark}. Intervals are 95% confidence intervals.`, "why"));
  $("profile").replaceChildren(...parts);
}

// Print the page, or the area's report to take to a meeting (HTML to print, or a PDF).
function reportTools(code) {
  const tools = el("p", "", "report-tools");
  const print = el("button", "Print", "print");
  print.type = "button";
  print.addEventListener("click", () => window.print());
  const links = reportPaths(code);
  const html = el("a", "Report to print");
  html.href = links.html;
  html.target = "_blank";
  html.rel = "noopener";
  const pdf = el("a", "Report (PDF)");
  pdf.href = links.pdf;
  pdf.id = "report-pdf";
  pdf.setAttribute("download", `${code}-report.pdf`);
  tools.append(print, " ", html, " ", pdf);
  return tools;
}

// The alert's indicators over time in this area (the one the map shows first), the city's
// line beside them, the alert's window shaded and where its change began marked. The
// window is the mapped indicator's; another indicator's is its own last 12 months (or its
// last period), since a correlated alert's indicators may have periods of other kinds.
function alertCharts(profile, alert) {
  const mapped = alert.map?.indicator ?? alert.indicators[0];
  const codes = [mapped, ...alert.indicators.filter((code) => code !== mapped)];
  const entries = codes
    .map((code) => profile.indicators.find((e) => e.indicator.code === code))
    .filter((e) => e !== undefined);
  if (!entries.length) return [];
  const box = el("div", "", "charts");
  box.id = "alert-charts";
  for (const entry of entries) {
    const last = entry.series?.length ? entry.series[entry.series.length - 1].period : alert.period_to;
    const from = entry.indicator.code === mapped ? (alert.window?.from ?? alert.period_from) : (entry.window?.from ?? last);
    const to = entry.indicator.code === mapped ? (alert.window?.to ?? last) : last;
    box.append(trendFigure(entry, { width: 360, height: 170, changeFrom: from, windowFrom: from, windowTo: to }));
  }
  return [box];
}

function groupTable(entries, about, alert) {
  const table = el("table", "", "profile");
  const head = table.createTHead().insertRow();
  for (const title of ["Indicator", "Here", "City and similar areas", "Among all areas"]) head.append(el("th", title));
  const body = table.createTBody();
  for (const entry of entries) {
    const text = rowText(entry);
    const row = body.insertRow();
    row.dataset.indicator = entry.indicator.code;
    const name = el("th");
    name.scope = "row";
    const open = el("button", entry.indicator.title, "row-open");
    open.type = "button";
    open.setAttribute("aria-expanded", "false");
    name.append(open);
    const here = el("td", "", "here");
    here.append(el("strong", text.value), el("br"), el("small", text.when));
    if (text.interval) here.append(el("br"), el("small", text.interval, "interval"));
    if (text.latest) here.append(el("br"), el("small", text.latest));
    if (entry.estimated) here.append(el("br"), el("small", entry.estimated, entry.low_fit ? "estimated low-fit" : "estimated"));
    if (alert?.indicators.includes(entry.indicator.code)) {
      const note = el("small", `Alert: ${windowText(alert) ?? "see above"}`, "alert-window");
      here.append(el("br"), note);
    }
    const compared = el("td", "", "compared");
    if (text.city) compared.append(el("div", `City ${text.city}`, "city-value"));
    compared.append(badge(cityComparison(entry.benchmark), "city"), badge(similarComparison(entry.similar, entry.similar_why), "similar"));
    if (text.trend) compared.append(el("div", text.trend, `trend-word ${TREND_TONES[text.trend.toLowerCase()] ?? ""}`));
    const spine = el("td", "", "spine");
    const figure = spineFigure(entry);
    if (figure) spine.append(figure);
    row.append(name, here, compared, spine);
    const more = body.insertRow();
    more.className = "row-more";
    more.hidden = true;
    const cell = more.insertCell();
    cell.colSpan = 4;
    open.addEventListener("click", () => {
      if (!cell.childElementCount) cell.append(...moreAbout(entry, about.get(entry.indicator.code)));
      more.hidden = !more.hidden;
      open.setAttribute("aria-expanded", String(!more.hidden));
    });
  }
  return table;
}

// A row opened: the definition, source and licence, and the trend chart.
function moreAbout(entry, spec) {
  const facts = el("dl", "", "definition");
  for (const [term, value] of [
    ["Definition", entry.definition ?? spec?.definition],
    ["Source", entry.source ?? spec?.source],
    ["Licence", entry.licence ?? spec?.licence],
  ]) {
    if (value) facts.append(el("dt", term), el("dd", value));
  }
  return [facts, trendFigure(entry, { width: 360, height: 160 })];
}

// One comparison on a line of its own: what against, then its word, the values in the title.
function badge(comparison, against) {
  const line = el("div", "", `comparison ${against}`);
  line.title = comparison.title;
  line.append(el("span", comparison.what, "against"), " ", el("span", comparison.label, `badge ${comparison.tone}`));
  return line;
}
