// @ts-check
// A profile value's comparisons, with the city and with similar areas, in short words for
// its badges and in full (values and intervals) for their titles. Text only: the page sets
// it as text.

import { formatValue } from "./format.js";

/** The labels that have a colour of their own; any other is shown grey. */
export const TONES = ["better", "similar", "worse"];

/**
 * A profile entry's `benchmark` or `similar`: its `label` ("better", "similar", "worse",
 * "higher", "lower" or "not compared", then with `why`), the values compared, which similar
 * areas (`description`), and the 95% intervals of the area and of the similar areas.
 * @typedef {{ label: string, why?: string, area_value?: number | null, city_value?: number | null,
 *   similar_value?: number | null, description?: string, per?: number,
 *   "95"?: { interval: (number | null)[] }, similar_interval?: Record<string, (number | null)[]> }} Benchmark
 *
 * @typedef {object} Comparison
 * @property {string} what    "City" | "Similar areas"
 * @property {string} label   the badge's word
 * @property {string} tone    its class: one of TONES, or "other"
 * @property {string} title   the values and intervals, or why there is no comparison
 */

/**
 * A value and its 95% interval ("30 (95% CI 25.6–34.6)").
 * @param {number | null | undefined} value
 * @param {(number | null)[] | undefined} interval
 * @returns {string}
 */
function withInterval(value, interval) {
  const text = formatValue(value);
  if (!interval || interval[0] === null || interval[1] === null) return text;
  return `${text} (95% CI ${formatValue(interval[0])}–${formatValue(interval[1])})`;
}

/**
 * The comparison with the city.
 * @param {Benchmark} benchmark
 * @returns {Comparison}
 */
export function cityComparison(benchmark) {
  const { label } = benchmark;
  const tone = TONES.includes(label) ? label : "other";
  if (benchmark.area_value === undefined) return { what: "City", label, tone, title: benchmark.why || label };
  const title = `${sentence(label, "the city")}: here ${withInterval(benchmark.area_value, benchmark["95"]?.interval)}, the city ${formatValue(benchmark.city_value)}${per(benchmark)}`;
  return { what: "City", label, tone, title };
}

/**
 * The comparison with similar areas (null: the area has none, and `why` says why).
 * @param {Benchmark | null} similar
 * @param {string | null} [why]
 * @returns {Comparison}
 */
export function similarComparison(similar, why) {
  if (!similar) return { what: "Similar areas", label: "none", tone: "other", title: why || "no similar areas" };
  const { label } = similar;
  const tone = TONES.includes(label) ? label : "other";
  if (similar.similar_value === undefined) return { what: "Similar areas", label, tone, title: similar.why || label };
  const title = `${sentence(label, similar.description || "similar areas")}: here ${withInterval(similar.area_value, similar["95"]?.interval)}, ` +
    `they ${withInterval(similar.similar_value, similar.similar_interval?.["95"])}${per(similar)}`;
  return { what: "Similar areas", label, tone, title };
}

/**
 * "Worse than the city", "Similar to the 68 other LSOAs …".
 * @param {string} label
 * @param {string} against
 * @returns {string}
 */
function sentence(label, against) {
  if (label === "similar") return `Similar to ${against}`;
  if (TONES.includes(label) || label === "higher" || label === "lower") {
    return `${label[0].toUpperCase()}${label.slice(1)} than ${against}`;
  }
  return `${label} (${against})`;
}

/**
 * @param {Benchmark} benchmark
 * @returns {string}
 */
function per(benchmark) {
  return benchmark.per === 1000 ? " per 1,000 residents" : "";
}
