// @ts-check
// A series as a small SVG line (the profile's "Recent" column, an alert's charts).

import { escapeHtml } from "./format.js";

/**
 * The SVG of a series' values in order, scaled to fit; "" when fewer than two have values.
 * Its label names the series' first and last periods.
 * @param {ReadonlyArray<{ period: string, value: number | null }>} series
 * @param {number} [width]
 * @param {number} [height]
 * @returns {string}
 */
export function sparkline(series, width = 120, height = 28) {
  /** @type {Array<[number, number]>} */
  const points = [];
  series.forEach((p, i) => { if (p.value !== null) points.push([i, p.value]); });
  if (points.length < 2) return "";
  const ys = points.map(([, v]) => v);
  const [lo, hi] = [Math.min(...ys), Math.max(...ys)];
  /** @param {number} i */
  const x = (i) => (i / (series.length - 1)) * (width - 4) + 2;
  /** @param {number} v */
  const y = (v) => height - 2 - ((v - lo) / (hi - lo || 1)) * (height - 4);
  const path = points.map(([i, v]) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const label = escapeHtml(`${series[0].period} to ${series[series.length - 1].period}`);
  return `<svg width="${width}" height="${height}" role="img" aria-label="${label}"><polyline fill="none" stroke="#08519c" stroke-width="1.5" points="${path}"/></svg>`;
}
