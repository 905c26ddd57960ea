// @ts-check
// Reading an /api/maps answer without geometries ({ legend, areas: { code: properties } }):
// an area's colour, what its tooltip says, the areas of one class.

import { formatValue } from "./format.js";

/**
 * @typedef {object} AreaValue
 * @property {number | null} value
 * @property {number | null} class
 * @property {string} status   "data" | "suppressed"
 * @property {string} colour
 * @property {string | null} period
 *
 * @typedef {object} MapValues
 * @property {import("./legend.js").Legend} legend
 * @property {Record<string, AreaValue>} areas   areas absent from it have legend.no_data
 */

/** The fill before any values have come. */
export const BLANK = "#fff";

/**
 * The colour an area is filled with.
 * @param {MapValues | null} values
 * @param {string} code
 * @returns {string}
 */
export function colourOf(values, code) {
  if (!values) return BLANK;
  const area = values.areas[code];
  return area ? area.colour : values.legend.no_data.colour;
}

/** What the tooltip says while the values of a newly chosen view are on their way. */
export const LOADING = "loading…";

/**
 * What hovering over an area tells: its name and code, then its value with the unit (or why
 * there is none) and the city's value to compare with. Given the `view` the page asks for,
 * values of another indicator, type or period (the previous view's, kept while the new
 * values come) tell nothing but that they are loading: an old indicator's value never
 * stands beside the new indicator's name.
 * @param {MapValues | null} values
 * @param {string} code
 * @param {string} name
 * @param {{ indicator: string | null, type: string | null, period?: string | null }} [view]
 * @returns {{ name: string, code: string, lines: string[] }}
 */
export function areaSummary(values, code, name, view) {
  if (!values) return { name, code, lines: [] };
  if (view && !isOf(values, view)) return { name, code, lines: [LOADING] };
  const area = values.areas[code];
  const { legend } = values;
  const unit = legend.indicator.unit;
  const lines = [area && area.status === "suppressed" ? "suppressed (small count)" : formatValue(area && area.value, unit)];
  if (area && area.value !== null && legend.city) lines.push(`${legend.city.what}: ${formatValue(legend.city.value, unit)}`);
  return { name, code, lines };
}

/**
 * Whether the values are those of the view: its indicator and type, and its period when it
 * names one (none: the newest, whichever the values are of).
 * @param {MapValues} values
 * @param {{ indicator: string | null, type: string | null, period?: string | null }} view
 */
function isOf(values, view) {
  const { legend } = values;
  return legend.indicator.code === view.indicator && legend.area_type === view.type
    && (!view.period || view.period === legend.period);
}

/**
 * The areas whose value is `value` (the IMD decile's 1: the most deprived 10%).
 * @param {MapValues} values
 * @param {number} value
 * @returns {string[]}
 */
export function areasWithValue(values, value) {
  return Object.entries(values.areas).filter(([, area]) => area.value === value).map(([code]) => code);
}

/**
 * The periods of the values shown, if they are the values of `indicator` at `type` (a newer
 * view of another indicator or type may be on its way, whose periods are not known yet).
 * @param {MapValues | null} values
 * @param {{ indicator: string | null, type: string | null }} view
 * @returns {string[] | null}
 */
export function periodsOf(values, view) {
  if (!values) return null;
  const { legend } = values;
  return legend.indicator.code === view.indicator && legend.area_type === view.type ? legend.periods : null;
}
