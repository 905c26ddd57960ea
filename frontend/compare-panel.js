// The compare view: every area of the map's type for the indicator and period shown
// (/api/indicators/{code}/compare), as a sortable bar chart with each area's 95% interval
// and the city's value; the selected area highlighted; choosing a bar opens that area.

import { compareFigure } from "./charts.js";
import { $, el } from "./common.js";
import { formatValue } from "./lib/format.js";

const SORTS = [["value-desc", "Highest first"], ["value-asc", "Lowest first"], ["name", "By name"]];
let sort = "value-desc";

export function showCompare(body, { selected = null, onArea }) {
  const rows = body.areas;
  const heading = el("h2", `${body.indicator.title}: every area (${body.area_type})`);
  const tools = el("p", "", "compare-tools");
  const label = el("label", "Sort ");
  const select = el("select");
  select.id = "compare-sort";
  for (const [value, text] of SORTS) select.append(new Option(text, value, false, value === sort));
  select.addEventListener("change", () => {
    sort = select.value;
    showCompare(body, { selected, onArea });
  });
  label.append(select);
  const city = body.city?.value ?? null;
  const cityText = city === null ? "" : ` · the city ${formatValue(city, body.unit)}${body.city.what ? ` (${body.city.what})` : ""}`;
  tools.append(label, el("span", `${body.period}${cityText}`));
  const parts = [heading, tools];
  if (!rows.length) parts.push(el("p", "No values for this period."));
  else parts.push(compareFigure(rows, { width: 380, rowHeight: 14, sort, highlight: selected, city, unit: body.unit }, onArea));
  if (body.interval) parts.push(el("p", `Lines: 95% intervals (${body.interval}).`, "why"));
  if (body.marking) parts.push(el("p", body.marking, "marking"));
  for (const note of body.notes) parts.push(el("p", note, "why"));
  $("compare").replaceChildren(...parts);
}
