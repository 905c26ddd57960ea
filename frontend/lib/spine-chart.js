// @ts-check
// A spine chart, as the public health profiles (Fingertips) draw one: the range of all areas'
// values as a bar — its outer quarters light, its middle half dark — centred on the city's
// value (or the areas' median when there is no city value), with worse to the left when the
// indicator has a polarity, and this area's value as a marker coloured by its comparison.
// Shapes and texts only: the page builds the SVG elements.

import { valueText } from "./axes.js";

/**
 * The distribution of all areas' values; a null is a suppressed (or unknown) statistic.
 * @typedef {{ min: number | null, q1: number | null, median: number | null, q3: number | null,
 *   max: number | null }} Spine
 *
 * @typedef {object} SpineOptions
 * @property {number} [width]    240 unless told
 * @property {number} [height]   20 unless told
 * @property {number | null} [city]   the city's value: the centre of the bar
 * @property {string | null} [polarity]   "higher_is_worse" | "higher_is_better" | "no_judgement"
 * @property {string | null} [comparison]   the area's comparison as the caller judged it:
 *   "better", "similar" or "worse" colour the marker; anything else is "not compared"
 * @property {string | null} [unit]
 *
 * @typedef {{ x: number, y: number, width: number, height: number, kind: "outer" | "inner",
 *   from: string, to: string }} SpineBar
 *
 * @typedef {object} SpineChart
 * @property {number} width
 * @property {number} height
 * @property {boolean} reversed   higher values are drawn on the left (higher is worse)
 * @property {{ left: string, right: string }} ends   "Worse"/"Better", or "Lower"/"Higher"
 * @property {SpineBar[]} bars   the quartile ranges there are (min–q1 and q3–max "outer",
 *   q1–median and median–q3 "inner"; q1–q3 "inner" when the median is suppressed); none of
 *   no width
 * @property {{ x: number, y0: number, y1: number, what: "city" | "median", value: number } | null} centre
 *   the tick at the centre of the bar: the city's value, else the median; null without either
 *   (the bar is then centred on the middle of what is drawn)
 * @property {{ x: number, y0: number, y1: number, value: number } | null} median   the median's
 *   own tick, when the centre is the city's value
 * @property {{ x: number, y: number, tone: string, outside: "below" | "above" | null,
 *   value: number } | null} marker   the area's value: tone is "better", "similar", "worse"
 *   or "not-compared" (a class name); outside says it lies beyond the areas' range
 * @property {string} label   the chart in words
 */

export const SPINE_TONES = ["better", "similar", "worse"];
const PAD = 6; // px kept free at either end, for the marker's radius

/**
 * The spine chart's geometry.
 * @param {Spine} spine
 * @param {number | null | undefined} value   this area's value
 * @param {SpineOptions} [options]
 * @returns {SpineChart}
 */
export function spineChart(spine, value, options = {}) {
  const width = options.width ?? 240;
  const height = options.height ?? 20;
  const unit = options.unit ?? "";
  const polarity = options.polarity || "no_judgement";
  const reversed = polarity === "higher_is_worse";
  const ends = polarity === "no_judgement" ? { left: "Lower", right: "Higher" } : { left: "Worse", right: "Better" };
  const tone = SPINE_TONES.includes(options.comparison || "") ? /** @type {string} */ (options.comparison) : "not-compared";
  const city = number(options.city);
  const area = number(value);
  const stats = /** @type {Record<keyof Spine, number | null>} */ ({
    min: number(spine.min), q1: number(spine.q1), median: number(spine.median), q3: number(spine.q3), max: number(spine.max),
  });
  const known = Object.values(stats).filter((v) => v !== null).map(Number);
  const everything = [...known, ...(area === null ? [] : [area]), ...(city === null ? [] : [city])];

  // The centre, and the widest distance from it to anything drawn, filling half the width.
  const centreValue = city ?? stats.median ?? (everything.length ? (Math.min(...everything) + Math.max(...everything)) / 2 : null);
  const reach = centreValue === null ? 0 : Math.max(0, ...everything.map((v) => Math.abs(v - centreValue)));
  const spread = reach || Math.abs(centreValue ?? 0) / 10 || 1;
  const half = Math.max(0, width / 2 - PAD);
  /** @param {number} v */
  const x = (v) => round(width / 2 + ((v - (centreValue ?? 0)) / spread) * half * (reversed ? -1 : 1));
  const [barY, barHeight] = [round(height * 0.15), round(height * 0.7)];

  /** @type {SpineBar[]} */
  const bars = [];
  /** @param {keyof Spine} from @param {keyof Spine} to @param {"outer" | "inner"} kind */
  const bar = (from, to, kind) => {
    const [a, b] = [stats[from], stats[to]];
    if (a === null || b === null) return;
    const [xa, xb] = [x(a), x(b)];
    if (Math.abs(xb - xa) < 0.05) return;
    bars.push({ x: Math.min(xa, xb), y: barY, width: round(Math.abs(xb - xa)), height: barHeight, kind, from, to });
  };
  bar("min", "q1", "outer");
  if (stats.median === null) bar("q1", "q3", "inner");
  else { bar("q1", "median", "inner"); bar("median", "q3", "inner"); }
  bar("q3", "max", "outer");

  const benchmark = city ?? stats.median;
  const centre = benchmark === null ? null : {
    x: x(benchmark), y0: 0, y1: height, what: /** @type {"city" | "median"} */ (city !== null ? "city" : "median"), value: benchmark,
  };
  const median = city !== null && stats.median !== null ? { x: x(stats.median), y0: barY, y1: barY + barHeight, value: stats.median } : null;
  const [lowest, highest] = [stats.min ?? (known.length ? Math.min(...known) : null), stats.max ?? (known.length ? Math.max(...known) : null)];
  const outside = area === null ? null : lowest !== null && area < lowest ? "below" : highest !== null && area > highest ? "above" : null;
  const marker = area === null ? null : { x: x(area), y: round(height / 2), tone, outside: /** @type {"below" | "above" | null} */ (outside), value: area };

  return {
    width, height, reversed, ends, bars, centre, median, marker,
    label: describe(stats, area, city, tone, outside, unit),
  };
}

/** @param {unknown} v @returns {number | null} */
function number(v) {
  return v === null || v === undefined || v === "" || !Number.isFinite(Number(v)) ? null : Number(v);
}

/** @param {number} v */
function round(v) {
  return Math.round(v * 10) / 10;
}

/**
 * The chart in words: "Here 12 per 1,000 residents (worse); the city 10 per 1,000
 * residents; areas range from 2 to 30 per 1,000 residents, the middle half from 6 to 14
 * (median 9)".
 * @param {Record<keyof Spine, number | null>} stats
 * @param {number | null} area
 * @param {number | null} city
 * @param {string} tone
 * @param {string | null} outside
 * @param {string} unit
 */
function describe(stats, area, city, tone, outside, unit) {
  /** @param {number | null} v */
  const bare = (v) => valueText(v, unit === "%" ? unit : null);
  const parts = [];
  if (area === null) parts.push("No value here");
  else {
    const judged = tone === "not-compared" ? "not compared" : tone;
    parts.push(`Here ${valueText(area, unit)} (${judged})${outside ? `, ${outside} the range of all areas` : ""}`);
  }
  if (city !== null) parts.push(`the city ${valueText(city, unit)}`);
  if (stats.min !== null && stats.max !== null) {
    parts.push(stats.min === stats.max ? `every area ${valueText(stats.min, unit)}` : `areas range from ${bare(stats.min)} to ${valueText(stats.max, unit)}`);
  } else parts.push("the range of areas is not shown");
  if (stats.q1 !== null && stats.q3 !== null) {
    parts.push(`the middle half from ${bare(stats.q1)} to ${valueText(stats.q3, unit)}${stats.median !== null ? ` (median ${valueText(stats.median, unit)})` : ""}`);
  } else if (stats.median !== null) parts.push(`median ${valueText(stats.median, unit)}`);
  return parts.join("; ");
}
