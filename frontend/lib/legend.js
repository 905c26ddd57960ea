// @ts-check
// The legend of a map, from the `legend` member of an /api/maps answer: rows of a colour and
// a text, for the page to draw as elements (never as HTML).

import { formatValue } from "./format.js";

/**
 * @typedef {object} LegendClass
 * @property {number} class
 * @property {number | null} lower
 * @property {number | null} upper
 * @property {string} colour
 * @property {number} count
 *
 * @typedef {object} LegendEntry
 * @property {string} colour
 * @property {number} count
 * @property {string} why
 *
 * @typedef {object} Legend
 * @property {{ code: string, title: string, unit?: string | null }} indicator
 * @property {string} area_type
 * @property {string | null} period
 * @property {string[]} periods
 * @property {{ what: string, value: number } | null} [city]
 * @property {string} scheme
 * @property {string} palette
 * @property {LegendClass[]} classes
 * @property {LegendEntry} suppressed
 * @property {LegendEntry} no_data
 *
 * @typedef {object} LegendRow
 * @property {string} colour
 * @property {string} label
 * @property {string} [why]   why these areas have no class colour
 *
 * @typedef {object} LegendView
 * @property {string} heading
 * @property {LegendRow[]} rows
 * @property {string} note
 */

/**
 * The legend's heading ("Burglary, 2023-06"), one row per class with its range and count,
 * then suppressed and no-data rows when some areas are, and the palette and scheme.
 * @param {Legend} legend
 * @returns {LegendView}
 */
export function legendView(legend) {
  const unit = legend.indicator.unit;
  /** @type {LegendRow[]} */
  const rows = legend.classes.map((c) => ({
    colour: c.colour,
    label: `${formatValue(c.lower, unit)} – ${formatValue(c.upper, unit)} (${c.count})`,
  }));
  for (const [name, entry] of /** @type {const} */ ([["Suppressed", legend.suppressed], ["No data", legend.no_data]])) {
    if (entry.count) rows.push({ colour: entry.colour, label: `${name} (${entry.count})`, why: entry.why });
  }
  return {
    heading: `${legend.indicator.title}, ${legend.period || "no data"}`,
    rows,
    note: `${legend.palette}; ${legend.scheme.replace("_", " ")}`,
  };
}
