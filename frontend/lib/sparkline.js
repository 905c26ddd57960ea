// @ts-check
// A series as a small line (the profile's "Recent" column, an alert's charts): the shape of
// the SVG the page draws as elements (never as HTML).

/**
 * @typedef {object} Sparkline
 * @property {number} width
 * @property {number} height
 * @property {string} points   the polyline's points, "x,y x,y …"
 * @property {string} label    the series' first and last periods ("2021-01 to 2023-12")
 */

/**
 * A series' values in order, scaled to fit; null when fewer than two have values.
 * @param {ReadonlyArray<{ period: string, value: number | null }>} series
 * @param {number} [width]
 * @param {number} [height]
 * @returns {Sparkline | null}
 */
export function sparkline(series, width = 120, height = 28) {
  /** @type {Array<[number, number]>} */
  const points = [];
  series.forEach((p, i) => { if (p.value !== null) points.push([i, Number(p.value)]); });
  if (points.length < 2) return null;
  const ys = points.map(([, v]) => v);
  const [lo, hi] = [Math.min(...ys), Math.max(...ys)];
  /** @param {number} i */
  const x = (i) => (i / (series.length - 1)) * (width - 4) + 2;
  /** @param {number} v */
  const y = (v) => height - 2 - ((v - lo) / (hi - lo || 1)) * (height - 4);
  return {
    width,
    height,
    points: points.map(([i, v]) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" "),
    label: `${series[0].period} to ${series[series.length - 1].period}`,
  };
}
