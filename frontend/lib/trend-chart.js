// @ts-check
// One indicator in one area over time, with the city's line, the area's 95% band, a marker
// where a detected change began and a shaded window (an alert's): the shapes and texts of
// the SVG the page draws as elements (never as HTML). Axes are labelled with dates spaced
// never to overlap at the width given, and round values in the indicator's unit; a period
// without a value breaks the line.

import { FONT_SIZE, formatTick, niceTicks, periodTickLabel, periodTime, periodTitle, textWidth, tickSteps, valueText } from "./axes.js";

/**
 * @typedef {{ period: string, value: number | null, city?: number | null, low?: number | null,
 *   high?: number | null }} TrendPoint
 *
 * @typedef {object} TrendOptions
 * @property {number} [width]    600 unless told
 * @property {number} [height]   240 unless told
 * @property {string | null} [unit]   the indicator's unit ("per 1,000 residents", "%")
 * @property {string | null} [periodType]   one of axes.js's PERIOD_TYPES (it tells an academic
 *   "2023/24" from a financial one); read from the periods when not given
 * @property {string | null} [changeFrom]   the period a detected change began
 * @property {string | null} [windowFrom]   the first period of a shaded window
 * @property {string | null} [windowTo]     its last period
 * @property {string | null} [title]   what is charted, to begin the label with
 * @property {number} [fontSize]   of the labels, FONT_SIZE unless told
 *
 * @typedef {{ x: number, y: number, period: string, value: number }} PlotPoint
 * @typedef {object} Series
 * @property {string[]} segments   each run of periods with values, a polyline's "x,y x,y …"
 * @property {string} path   the same runs as one path's d ("M x,y L x,y … M …"): broken at gaps
 * @property {PlotPoint[]} points   every period with a value, where it is drawn
 * @property {Array<{ x: number, y: number, period: string }>} dots   periods with a value but
 *   none beside them (no line passes through them: draw them as dots)
 *
 * @typedef {object} Band
 * @property {string[]} polygons   each run of periods with both bounds: a polygon's points,
 *   along the upper bounds and back along the lower
 * @property {Array<{ x: number, y0: number, y1: number, period: string }>} whiskers   a
 *   period with bounds but none beside it: a vertical line from its upper (y0) to its lower (y1)
 *
 * @typedef {object} TrendChart
 * @property {number} width
 * @property {number} height
 * @property {{ left: number, top: number, right: number, bottom: number }} plot   the plotting
 *   rectangle inside the margins (the axes run along its left and bottom edges)
 * @property {Series} area
 * @property {Series | null} city   null when no period has a city value
 * @property {Band | null} band   null when no period has both bounds
 * @property {Array<{ x: number, label: string }>} xTicks   drawn at y = xTickY, centred
 * @property {Array<{ y: number, label: string }>} yTicks   drawn at x = yTickX, right-aligned
 * @property {number} xTickY   the x tick labels' baseline
 * @property {number} yTickX   the y tick labels' right end
 * @property {string} xLabel   the x axis's title ("Month", "Financial year", "Period")
 * @property {string} yLabel   the y axis's title: the unit ("Value" without one)
 * @property {{ x: number, y: number }} xLabelAt   the x title's centre and baseline
 * @property {{ x: number, y: number }} yLabelAt   the y title's start and baseline (over the axis)
 * @property {{ x: number, y0: number, y1: number, label: string,
 *   labelAt: { x: number, y: number, anchor: "start" | "end" } } | null} marker   a vertical
 *   line where the change began (on that period's point), top to bottom of the plot; its
 *   label at labelAt (text-anchor `anchor`), on the side of the line with room for it
 * @property {{ x0: number, x1: number, label: string } | null} window   the shaded window,
 *   from the start of its first period to the end of its last
 * @property {string} periodType   the periods' type, or "category" when they are not all of one
 *   readable type (then they are placed in order, evenly)
 * @property {boolean} empty   no period has a value
 * @property {string} label   the chart in words, for assistive technology
 */

const GAP = 6; // px between two tick labels, at least

/**
 * The trend chart's geometry; every coordinate lies within width × height.
 * @param {ReadonlyArray<TrendPoint>} points
 * @param {TrendOptions} [options]
 * @returns {TrendChart}
 */
export function trendChart(points, options = {}) {
  const width = options.width ?? 600;
  const height = options.height ?? 240;
  const unit = options.unit ?? "";
  const fontSize = options.fontSize ?? FONT_SIZE;

  // Where each period lies: its index on a time line, or its place in the list.
  const times = points.map((p) => periodTime(p.period, options.periodType));
  const first = times[0];
  const timed = first !== undefined && times.every((t) => t !== null && t.type === first?.type);
  const periodType = timed && first ? first.type : "category";
  const placed = points.map((p, i) => ({ p, u: timed ? /** @type {{ index: number }} */ (times[i]).index : i }));
  if (timed) placed.sort((a, b) => a.u - b.u);
  const us = placed.map(({ u }) => u);
  const [d0, d1] = us.length ? [Math.min(...us), Math.max(...us) + 1] : [0, 1];
  /** The place of a period named in the options, or null. @param {string | null | undefined} text */
  const unitOf = (text) => {
    if (!text) return null;
    if (timed) return periodTime(text, periodType)?.index ?? null;
    const at = points.findIndex((p) => p.period === text);
    return at < 0 ? null : at;
  };

  // The values' scale: every value, city value and bound; from zero when zero is near.
  /** @type {number[]} */
  const ys = [];
  for (const { p } of placed) for (const v of [p.value, p.city, p.low, p.high]) if (isNumber(v)) ys.push(Number(v));
  let [lo, hi] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  // A level series is drawn from zero too, rather than magnified around its value.
  if (lo >= 0 && (lo <= hi - lo || lo === hi)) lo = 0;
  if (hi <= 0 && (-hi <= hi - lo || lo === hi)) hi = 0;
  if (lo === 0 && hi === 0) hi = 1;

  // Margins: a row over the plot for the y title, two rows under it for dates and x title.
  const top = Math.round(fontSize * 1.6 + 4);
  const bottom = height - Math.round(fontSize * 2.4 + 12);
  const plotHeight = Math.max(1, bottom - top);
  let count = Math.max(2, Math.floor(plotHeight / 36));
  let ticks = niceTicks(lo, hi, count);
  while (count > 2 && ticks.values.length > 1 && plotHeight / (ticks.values.length - 1) < fontSize * 1.6) {
    ticks = niceTicks(lo, hi, --count);
  }
  /** @param {number} v */
  const y = (v) => bottom - ((v - ticks.min) / (ticks.max - ticks.min)) * plotHeight;
  const yLabels = ticks.values.map((v) => formatTick(v, ticks.step, unit));
  const left = Math.round(Math.max(...yLabels.map((l) => textWidth(l, fontSize)), 0) + 10);
  const right = width - 12;
  /** @param {number} u */
  const x = (u) => left + ((u - d0) / (d1 - d0)) * (right - left);
  /** A period's point: the middle of its place. @param {number} u */
  const xAt = (u) => x(u + 0.5);

  /** @param {(p: TrendPoint) => number | null | undefined} pick @returns {Series | null} */
  const series = (pick) => {
    /** @type {PlotPoint[][]} */
    const runs = [];
    /** @type {number | null} */
    let previous = null;
    for (const { p, u } of placed) {
      const v = pick(p);
      if (!isNumber(v)) { previous = null; continue; }
      const point = { x: xAt(u), y: y(Number(v)), period: p.period, value: Number(v) };
      if (previous !== null && u === previous + 1) runs[runs.length - 1].push(point);
      else runs.push([point]);
      previous = u;
    }
    if (!runs.length) return null;
    const segments = runs.map((run) => run.map(xy).join(" "));
    return {
      segments,
      path: segments.map((s) => `M${s.split(" ").join(" L")}`).join(" "),
      points: runs.flat(),
      dots: runs.filter((run) => run.length === 1).map(([pt]) => ({ x: pt.x, y: pt.y, period: pt.period })),
    };
  };
  const area = series((p) => p.value) || { segments: [], path: "", points: [], dots: [] };
  const city = series((p) => p.city);
  const band = bandOf(placed, xAt, y);

  // Dates: the smallest spacing whose labels stand apart and inside the chart.
  const steps = timed ? tickSteps(periodType) : placed.map((_, i) => i + 1);
  /** @param {number} u @param {number} step */
  const tickText = (u, step) => (timed ? periodTickLabel(periodType, u, step) : points[u].period);
  /** @type {Array<{ x: number, label: string }>} */
  let xTicks = [];
  for (const step of steps) {
    /** @type {Array<{ x: number, label: string }>} */
    const candidates = [];
    for (let u = Math.ceil(d0 / step) * step; u < d1; u += step) {
      const tick = { x: xAt(u), label: tickText(u, step) };
      const half = textWidth(tick.label, fontSize) / 2;
      if (tick.x - half >= 0 && tick.x + half <= width) candidates.push(tick);
    }
    const apart = candidates.every((t, i) => i === 0 || t.x - candidates[i - 1].x >=
      (textWidth(t.label, fontSize) + textWidth(candidates[i - 1].label, fontSize)) / 2 + GAP);
    if (candidates.length && apart) { xTicks = candidates; break; }
  }
  xTicks = xTicks.map((t) => ({ x: round(t.x), label: t.label }));

  const xLabel = periodTitle(periodType);
  const yLabel = unit || "Value";
  const changeAt = unitOf(options.changeFrom);
  /** @type {TrendChart["marker"]} */
  let marker = null;
  if (changeAt !== null && changeAt >= d0 && changeAt < d1) {
    const [at, text] = [round(xAt(changeAt)), `Change began ${options.changeFrom}`];
    // Its text beside the line, on the side with room for it.
    const after = at + 4 + textWidth(text, fontSize) <= width || at < width / 2;
    marker = { x: at, y0: top, y1: bottom, label: text, labelAt: { x: after ? at + 4 : at - 4, y: top + fontSize, anchor: after ? "start" : "end" } };
  }
  const window = windowOf(options, unitOf, d0, d1, x, placed.map(({ p }) => p.period));

  const valued = placed.filter(({ p }) => isNumber(p.value));
  return {
    width,
    height,
    plot: { left, top, right, bottom },
    area,
    city,
    band,
    xTicks,
    yTicks: ticks.values.map((v, i) => ({ y: round(y(v)), label: yLabels[i] })),
    xTickY: bottom + fontSize + 4,
    yTickX: left - 6,
    xLabel,
    yLabel,
    xLabelAt: { x: round((left + right) / 2), y: height - 4 },
    yLabelAt: { x: 0, y: fontSize },
    marker,
    window,
    periodType,
    empty: valued.length === 0,
    label: describe(placed.map(({ p }) => p), valued.map(({ p }) => p), unit, xLabel, marker, window, options.title),
  };
}

/** @param {unknown} v @returns {v is number} */
function isNumber(v) {
  return v !== null && v !== undefined && v !== "" && Number.isFinite(Number(v));
}

/** @param {number} v */
function round(v) {
  return Math.round(v * 10) / 10;
}

/** @param {{ x: number, y: number }} pt */
function xy(pt) {
  return `${pt.x.toFixed(1)},${pt.y.toFixed(1)}`;
}

/**
 * The 95% band: polygons over runs of periods with both bounds, whiskers for lone ones.
 * @param {Array<{ p: TrendPoint, u: number }>} placed
 * @param {(u: number) => number} xAt
 * @param {(v: number) => number} y
 * @returns {Band | null}
 */
function bandOf(placed, xAt, y) {
  /** @type {Array<Array<{ x: number, up: number, down: number, period: string }>>} */
  const runs = [];
  /** @type {number | null} */
  let previous = null;
  for (const { p, u } of placed) {
    if (!isNumber(p.low) || !isNumber(p.high)) { previous = null; continue; }
    const at = { x: xAt(u), up: y(Number(p.high)), down: y(Number(p.low)), period: p.period };
    if (previous !== null && u === previous + 1) runs[runs.length - 1].push(at);
    else runs.push([at]);
    previous = u;
  }
  if (!runs.length) return null;
  return {
    polygons: runs.filter((run) => run.length > 1).map((run) => [
      ...run.map((a) => xy({ x: a.x, y: a.up })), ...[...run].reverse().map((a) => xy({ x: a.x, y: a.down })),
    ].join(" ")),
    whiskers: runs.filter((run) => run.length === 1).map(([a]) => ({ x: round(a.x), y0: round(a.up), y1: round(a.down), period: a.period })),
  };
}

/**
 * The shaded window, clipped to the periods charted; null when none is asked for or it
 * lies outside them.
 * @param {TrendOptions} options
 * @param {(text: string | null | undefined) => number | null} unitOf
 * @param {number} d0
 * @param {number} d1
 * @param {(u: number) => number} x
 * @param {string[]} periods
 */
function windowOf(options, unitOf, d0, d1, x, periods) {
  if (!options.windowFrom && !options.windowTo) return null;
  const from = options.windowFrom ? unitOf(options.windowFrom) : d0;
  const to = options.windowTo ? unitOf(options.windowTo) : d1 - 1;
  if (from === null || to === null || !periods.length) return null;
  const [x0, x1] = [Math.max(from, d0), Math.min(to + 1, d1)];
  if (x1 <= x0) return null;
  const label = `Alert window ${options.windowFrom || periods[0]} to ${options.windowTo || periods[periods.length - 1]}`;
  return { x0: round(x(x0)), x1: round(x(x1)), label };
}

/**
 * The chart in words.
 * @param {TrendPoint[]} all   in order
 * @param {TrendPoint[]} valued   those with a value
 * @param {string} unit
 * @param {string} xLabel
 * @param {{ label: string } | null} marker
 * @param {{ label: string } | null} window
 * @param {string | null | undefined} title
 */
function describe(all, valued, unit, xLabel, marker, window, title) {
  const what = title ? `${title}: ` : "";
  /** @param {string} text */
  const capital = (text) => (title ? text : `${text[0].toUpperCase()}${text.slice(1)}`);
  if (!all.length) return `${what}${capital("no periods to chart")}`;
  const span = all.length === 1 ? all[0].period : `${all[0].period} to ${all[all.length - 1].period}`;
  const parts = [`${what}${capital("trend")} by ${xLabel.toLowerCase()}, ${span}`];
  const latest = valued[valued.length - 1];
  if (!latest) parts.push("no period has a value");
  else {
    let text = `latest ${latest.period}: ${valueText(latest.value, unit)}`;
    if (isNumber(latest.low) && isNumber(latest.high)) text += ` (95% interval ${valueText(latest.low, unit === "%" ? unit : null)} to ${valueText(latest.high, unit)})`;
    if (isNumber(latest.city)) text += `, the city ${valueText(latest.city, unit)}`;
    parts.push(text);
    const missing = all.length - valued.length;
    if (missing) parts.push(`${missing} ${missing === 1 ? "period has" : "periods have"} no value`);
  }
  if (marker) parts.push(marker.label.toLowerCase());
  if (window) parts.push(window.label.toLowerCase());
  return parts.join("; ");
}
