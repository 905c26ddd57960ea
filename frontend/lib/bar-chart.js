// @ts-check
// The compare-areas view: every area's value of one indicator as a horizontal bar with its
// 95% interval, sorted as asked, with the city's value as a line: the shapes and texts of the
// SVG the page draws as elements (never as HTML). A suppressed area keeps its row, says
// "suppressed" and draws nothing, whatever value it was sent with.

import { FONT_SIZE, formatTick, niceTicks, textWidth, valueText } from "./axes.js";

/**
 * @typedef {{ code: string, name: string, value?: number | null, low?: number | null,
 *   high?: number | null, suppressed?: boolean }} BarRow
 *
 * @typedef {object} BarOptions
 * @property {number} [width]   600 unless told
 * @property {number} [rowHeight]   20 unless told
 * @property {"value-desc" | "value-asc" | "name"} [sort]   "value-desc" unless told; areas
 *   without a value (suppressed or missing) follow those with one, in name order
 * @property {string | null} [highlight]   the code of the area to highlight
 * @property {number | null} [city]   the city's value, drawn as a vertical line
 * @property {string | null} [unit]
 * @property {number} [fontSize]   FONT_SIZE unless told
 *
 * @typedef {object} PlacedRow
 * @property {string} code
 * @property {string} name
 * @property {number | null} value   null when suppressed
 * @property {number | null} low
 * @property {number | null} high
 * @property {boolean} suppressed
 * @property {boolean} highlight
 * @property {number} y    the row's top
 * @property {number} cy   its middle (the baseline of its texts, drawn dominant-baseline middle)
 * @property {{ x: number, y: number, width: number, height: number } | null} bar   from zero
 *   to the value (to the left for a negative value)
 * @property {{ x0: number, x1: number, y: number } | null} whisker   the 95% interval
 * @property {string} valueLabel   "12.5", "suppressed", "no value"
 * @property {string} label   the row in words
 *
 * @typedef {object} CompareBars
 * @property {number} width
 * @property {number} height   of all the rows, the city's label and the axis
 * @property {number} rowHeight
 * @property {{ left: number, top: number, right: number, bottom: number }} plot   where bars are
 * @property {number} nameX    the names' right end (text-anchor end)
 * @property {number} valueX   the values' right end (text-anchor end)
 * @property {PlacedRow[]} rows   sorted
 * @property {{ x: number, y0: number, y1: number, label: string } | null} city
 * @property {number | null} cityX   city?.x
 * @property {number} zeroX   where bars start
 * @property {{ y: number, labelY: number, ticks: Array<{ x: number, label: string }> }} axis
 *   along the bottom of the plot; tick labels centred at labelY
 * @property {string} label   the chart in words
 */

const COLLATOR = new Intl.Collator("en-GB", { numeric: true, sensitivity: "base" });

/**
 * The rows in order, each with its geometry.
 * @param {ReadonlyArray<BarRow>} rows
 * @param {BarOptions} [options]
 * @returns {CompareBars}
 */
export function compareBars(rows, options = {}) {
  const width = options.width ?? 600;
  const rowHeight = options.rowHeight ?? 20;
  const unit = options.unit ?? "";
  const fontSize = options.fontSize ?? FONT_SIZE;
  const sort = options.sort ?? "value-desc";
  const city = number(options.city);

  // What may be shown: a suppressed row's numbers never are.
  const shown = rows.map((r) => {
    const suppressed = Boolean(r.suppressed);
    return {
      code: r.code, name: r.name, suppressed,
      value: suppressed ? null : number(r.value), low: suppressed ? null : number(r.low), high: suppressed ? null : number(r.high),
    };
  });
  /** @param {{ name: string, code: string }} a @param {{ name: string, code: string }} b */
  const byName = (a, b) => COLLATOR.compare(a.name, b.name) || COLLATOR.compare(a.code, b.code);
  const sorted = [...shown].sort((a, b) => {
    if (sort !== "name") {
      if (a.value !== null && b.value !== null && a.value !== b.value) return sort === "value-asc" ? a.value - b.value : b.value - a.value;
      if ((a.value === null) !== (b.value === null)) return a.value === null ? 1 : -1;
    }
    return byName(a, b);
  });

  // Columns: names, bars, values.
  const valueLabels = sorted.map((r) => (r.suppressed ? "suppressed" : r.value === null ? "no value" : valueText(r.value, unit === "%" ? unit : null)));
  const nameWidth = Math.min(Math.max(0, ...sorted.map((r) => textWidth(r.name, fontSize))) + 8, width * 0.4);
  const valueWidth = Math.min(Math.max(0, ...valueLabels.map((l) => textWidth(l, fontSize))) + 8, width * 0.25);
  const top = fontSize + 6; // the city line's label
  const bottom = top + sorted.length * rowHeight;
  const height = bottom + fontSize + 10;
  const left = Math.round(nameWidth + 4);
  const right = Math.round(width - valueWidth - 4);

  /** @type {number[]} */
  const values = [0];
  for (const r of sorted) for (const v of [r.value, r.low, r.high]) if (v !== null) values.push(v);
  if (city !== null) values.push(city);
  const [lo, hi] = [Math.min(...values), Math.max(...values)];
  // The scale runs between round values close to the data; of its ticks, every k-th is
  // labelled (zero always), the fewest skipped that keep the labels apart.
  const ticks = niceTicks(lo, hi === lo ? lo + 1 : hi, 6);
  /** @param {number} v */
  const xOf = (v) => left + ((v - ticks.min) / (ticks.max - ticks.min)) * (right - left);
  const zeroAt = ticks.values.indexOf(0);
  /** @type {Array<{ x: number, label: string }>} */
  let labelled = [];
  for (let k = 1; k <= ticks.values.length; k++) {
    labelled = ticks.values.filter((_, i) => (i - Math.max(0, zeroAt)) % k === 0)
      .map((v) => ({ x: round(xOf(v)), label: formatTick(v, ticks.step * k, unit) }));
    const apart = labelled.every((t, i) => i === 0 || t.x - labelled[i - 1].x >=
      (textWidth(t.label, fontSize) + textWidth(labelled[i - 1].label, fontSize)) / 2 + 6);
    if (apart) break;
  }
  const zeroX = round(xOf(0));

  const placed = sorted.map((r, i) => {
    const y = top + i * rowHeight;
    const cy = round(y + rowHeight / 2);
    const bar = r.value === null ? null : {
      x: round(Math.min(xOf(0), xOf(r.value))), y: round(y + rowHeight * 0.2),
      width: round(Math.abs(xOf(r.value) - xOf(0))), height: round(rowHeight * 0.6),
    };
    const whisker = r.low === null || r.high === null ? null : { x0: round(xOf(r.low)), x1: round(xOf(r.high)), y: cy };
    const interval = whisker ? ` (95% interval ${valueText(r.low, unit === "%" ? unit : null)} to ${valueText(r.high, unit)})` : "";
    const label = r.suppressed ? `${r.name}: suppressed` : `${r.name}: ${valueText(r.value, unit)}${interval}`;
    return { ...r, highlight: r.code === options.highlight, y, cy, bar, whisker, valueLabel: valueLabels[i], label };
  });
  const cityLine = city === null ? null : { x: round(xOf(city)), y0: top, y1: bottom, label: `City ${valueText(city, unit === "%" ? unit : null)}` };
  const order = { "value-desc": "highest first", "value-asc": "lowest first", name: "by name" }[sort] || sort;
  return {
    width, height, rowHeight,
    plot: { left, top, right, bottom },
    nameX: left - 4,
    valueX: width - 2,
    rows: placed,
    city: cityLine,
    cityX: cityLine ? cityLine.x : null,
    zeroX,
    axis: { y: bottom, labelY: bottom + fontSize + 4, ticks: labelled },
    label: `${placed.length} ${placed.length === 1 ? "area" : "areas"}, ${order}${cityLine ? `; the city ${valueText(city, unit)}` : ""}` +
      `${placed.some((r) => r.suppressed) ? `; ${placed.filter((r) => r.suppressed).length} suppressed` : ""}`,
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
