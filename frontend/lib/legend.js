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
 * @property {number | null} [least]   the smallest value in the class (null when empty)
 * @property {string | null} [label]   a category's name ("1 (most deprived)")
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
 * @property {boolean} [categorical]   one class per band (deciles): rows name the bands
 * @property {LegendClass[]} classes
 * @property {string | null} [classification_note]   why the classes are not those asked for
 * @property {LegendEntry} suppressed
 * @property {LegendEntry} no_data
 * @property {string | null} [marking]   "Partners only — not for publication" when the
 *   viewer sees what the public does not
 *
 * @typedef {object} LegendRow
 * @property {string} colour
 * @property {string} label
 * @property {string} [why]   why these areas have no class colour
 * @property {boolean} [signIn]   signing in would show them (the row offers it)
 *
 * @typedef {object} LegendView
 * @property {string} heading
 * @property {LegendRow[]} rows
 * @property {string} note
 * @property {string | null} marking
 */

/**
 * A class's words: a category's name ("1 (most deprived)"), a single value ("0 crimes"),
 * or the range of its values ("1 – 6 crimes", from its smallest value, so that no two rows
 * overlap).
 * @param {LegendClass} c
 * @param {string | null | undefined} unit
 * @returns {string}
 */
export function classLabel(c, unit) {
  if (c.label) return c.label;
  const from = formatValue(c.least ?? c.lower);
  const to = formatValue(c.upper);
  // A class of one value (the areas with 0) is that value, not "0 – 0".
  if (from === to || c.lower === null) return formatValue(c.upper, unit);
  return `${from} – ${formatValue(c.upper, unit)}`;
}

/**
 * The legend's heading ("Burglary, 2023-06"), one row per class with its range (or, for
 * bands, its name) and count, then suppressed and no-data rows when some areas are, and the
 * palette and scheme with why the classes differ from those asked for; the view's marking
 * when it is restricted. The suppressed row offers to sign in when the page
 * can (`offersSignIn`: nobody is signed in and the instance has a way to).
 * @param {Legend} legend
 * @param {{ offersSignIn?: boolean }} [options]
 * @returns {LegendView}
 */
export function legendView(legend, { offersSignIn = false } = {}) {
  const unit = legend.indicator.unit;
  /** @type {LegendRow[]} */
  const rows = legend.classes.map((c) => ({
    colour: c.colour,
    label: `${classLabel(c, unit)} (${c.count})`,
  }));
  for (const [name, entry] of /** @type {const} */ ([["Suppressed", legend.suppressed], ["No data", legend.no_data]])) {
    if (!entry.count) continue;
    /** @type {LegendRow} */
    const row = { colour: entry.colour, label: `${name} (${entry.count})`, why: entry.why };
    if (offersSignIn && entry === legend.suppressed) row.signIn = true;
    rows.push(row);
  }
  return {
    heading: `${legend.indicator.title}, ${legend.period || "no data"}`,
    rows,
    note: [
      legend.palette,
      legend.categorical ? "one class per value" : legend.scheme.replace("_", " "),
      legend.classification_note,
    ].filter(Boolean).join("; "),
    marking: legend.marking ?? null,
  };
}
