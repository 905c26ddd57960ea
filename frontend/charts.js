// The page's charts as SVG elements, from the shapes the pure helpers compute
// (lib/trend-chart.js, lib/spine-chart.js, lib/bar-chart.js): a trend chart with labelled
// axes and dates, the city's line, the confidence band and the marks of an alert (its
// window, where its change began); a spine chart; the compare view's bars. Text is set as
// text.

import { el } from "./common.js";
import { compareBars } from "./lib/bar-chart.js";
import { spineChart } from "./lib/spine-chart.js";
import { trendChart } from "./lib/trend-chart.js";

const SVG = "http://www.w3.org/2000/svg";
export const COLOURS = { area: "#08519c", city: "#525252", band: "#6baed6", window: "#fee0d2", marker: "#a50026" };

// An SVG element with its attributes.
function svgEl(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function svgText(x, y, text, attributes = {}) {
  const node = svgEl("text", { x, y, ...attributes });
  node.textContent = text;
  return node;
}

function chartSvg(shape, className) {
  const svg = svgEl("svg", { viewBox: `0 0 ${shape.width} ${shape.height}`, class: `chart ${className}`, role: "img" });
  svg.setAttribute("aria-label", shape.label);
  const title = svgEl("title");
  title.textContent = shape.label;
  svg.append(title);
  return svg;
}

// Axes: the lines, their ticks' labels, and the axes' titles.
function axes(svg, shape) {
  const { plot } = shape;
  for (const tick of shape.yTicks) {
    svg.append(svgEl("line", { x1: plot.left, y1: tick.y, x2: plot.right, y2: tick.y, stroke: "#e5e5e5" }));
    svg.append(svgText(shape.yTickX, tick.y + 3, tick.label, { "text-anchor": "end", class: "y-tick" }));
  }
  svg.append(svgEl("line", { x1: plot.left, y1: plot.bottom, x2: plot.right, y2: plot.bottom, stroke: "#333", class: "x-axis" }));
  svg.append(svgEl("line", { x1: plot.left, y1: plot.top, x2: plot.left, y2: plot.bottom, stroke: "#333", class: "y-axis" }));
  for (const tick of shape.xTicks) {
    svg.append(svgEl("line", { x1: tick.x, y1: plot.bottom, x2: tick.x, y2: plot.bottom + 3, stroke: "#333" }));
    svg.append(svgText(tick.x, shape.xTickY, tick.label, { "text-anchor": "middle", class: "x-tick" }));
  }
  svg.append(svgText(shape.xLabelAt.x, shape.xLabelAt.y, shape.xLabel, { "text-anchor": "middle", class: "x-label" }));
  svg.append(svgText(shape.yLabelAt.x, shape.yLabelAt.y, shape.yLabel, { "text-anchor": "start", class: "y-label" }));
}

// A line of the chart: its runs (a gap in the values breaks it) and its lone points.
function drawLine(svg, line, attributes, className) {
  for (const points of line.segments) svg.append(svgEl("polyline", { points, fill: "none", ...attributes, class: className }));
  for (const dot of line.dots) svg.append(svgEl("circle", { cx: dot.x, cy: dot.y, r: 2.5, fill: attributes.stroke, class: `${className} dot` }));
}

// One entry's trend (a profile entry: { indicator, series }) as a figure: its caption, the
// chart and its key. options: { width, height, changeFrom, windowFrom, windowTo }.
export function trendFigure(entry, options) {
  const figure = el("figure", "", "trend");
  figure.dataset.indicator = entry.indicator.code;
  figure.append(el("figcaption", entry.indicator.title));
  const shape = trendChart(entry.series ?? [], { unit: entry.indicator.unit, periodType: entry.indicator.period_type, ...options });
  if (shape.empty) {
    figure.append(el("p", "Too few values for a chart.", "why"));
    return figure;
  }
  const svg = chartSvg(shape, "trend-chart");
  const { plot } = shape;
  if (shape.window) {
    svg.append(svgEl("rect", { x: shape.window.x0, y: plot.top, width: Math.max(shape.window.x1 - shape.window.x0, 1), height: plot.bottom - plot.top, fill: COLOURS.window, class: "window" }));
  }
  axes(svg, shape);
  if (shape.band) {
    for (const points of shape.band.polygons) svg.append(svgEl("polygon", { points, fill: COLOURS.band, "fill-opacity": 0.35, stroke: "none", class: "band" }));
    for (const w of shape.band.whiskers) svg.append(svgEl("line", { x1: w.x, y1: w.y0, x2: w.x, y2: w.y1, stroke: COLOURS.band, "stroke-width": 2, class: "band" }));
  }
  if (shape.city) drawLine(svg, shape.city, { stroke: COLOURS.city, "stroke-width": 1.5, "stroke-dasharray": "4 3" }, "city-line");
  drawLine(svg, shape.area, { stroke: COLOURS.area, "stroke-width": 2 }, "area-line");
  if (shape.marker) {
    const { marker } = shape;
    svg.append(svgEl("line", { x1: marker.x, y1: marker.y0, x2: marker.x, y2: marker.y1, stroke: COLOURS.marker, "stroke-width": 1.5, class: "change-marker" }));
    svg.append(svgText(marker.labelAt.x, marker.labelAt.y, marker.label, { "text-anchor": marker.labelAt.anchor, class: "marker-label", fill: COLOURS.marker }));
  }
  figure.append(svg, chartKey(shape));
  return figure;
}

function chartKey(shape) {
  const key = el("p", "", "chart-key");
  const item = (colour, text, dashed = false) => {
    const swatch = el("span", "", "swatch");
    swatch.style.background = colour;
    if (dashed) swatch.style.backgroundImage = "repeating-linear-gradient(90deg, #fff 0 3px, transparent 3px 7px)";
    const span = el("span");
    span.append(swatch, ` ${text}`);
    return span;
  };
  key.append(item(COLOURS.area, "this area"));
  if (shape.city) key.append(item(COLOURS.city, "the city", true));
  if (shape.band) key.append(item(COLOURS.band, "95% confidence interval"));
  if (shape.window) key.append(item(COLOURS.window, "the alert's window"));
  return key;
}

// A profile entry's spine chart (where the area stands among all areas), or null.
export function spineFigure(entry) {
  if (!entry.spine || entry.suppressed) return null;
  const shape = spineChart(entry.spine, entry.value, {
    width: 120, height: 20, city: entry.city?.value ?? null,
    polarity: entry.indicator.polarity, comparison: entry.benchmark?.label, unit: entry.indicator.unit,
  });
  if (!shape || !shape.bars.length) return null;
  const svg = chartSvg(shape, "spine-chart");
  for (const bar of shape.bars) {
    svg.append(svgEl("rect", { x: bar.x, y: bar.y, width: bar.width, height: bar.height, fill: bar.kind === "inner" ? "#9ecae1" : "#deebf7", class: bar.kind }));
  }
  const tick = (line, className, stroke) => svgEl("line", { x1: line.x, y1: line.y0, x2: line.x, y2: line.y1, stroke, "stroke-width": 1.5, class: className });
  if (shape.median) svg.append(tick(shape.median, "median-tick", "#6b6b6b"));
  if (shape.centre) svg.append(tick(shape.centre, `${shape.centre.what}-tick`, "#1a1a1a"));
  if (shape.marker) {
    svg.append(svgEl("circle", { cx: shape.marker.x, cy: shape.marker.y, r: 4.5, fill: TONE_FILL[shape.marker.tone] ?? "#8c8c8c", stroke: "#1a1a1a", class: `marker ${shape.marker.tone}` }));
  }
  return svg;
}

const TONE_FILL = { worse: "#c00000", better: "#1d6b1d", similar: "#ffbf00" };

// The compare view's bars: one row per area, its interval, the city's line; choosing a row
// calls onArea(code).
export function compareFigure(rows, options, onArea) {
  const shape = compareBars(rows, options);
  const svg = chartSvg(shape, "bars");
  const { plot } = shape;
  for (const tick of shape.axis.ticks) {
    svg.append(svgEl("line", { x1: tick.x, y1: plot.top, x2: tick.x, y2: plot.bottom, stroke: "#eee" }));
    svg.append(svgText(tick.x, shape.axis.labelY, tick.label, { "text-anchor": "middle", class: "x-tick" }));
  }
  for (const row of shape.rows) {
    const group = svgEl("g", { class: `row${row.highlight ? " selected" : ""}`, "data-code": row.code, tabindex: 0, role: "button" });
    group.setAttribute("aria-label", row.label);
    // The whole row is the target, not only its marks.
    group.append(svgEl("rect", { x: 0, y: row.cy - shape.rowHeight / 2, width: shape.width, height: shape.rowHeight, fill: "transparent", class: "hit" }));
    group.append(svgText(shape.nameX, row.cy + 4, row.name, { "text-anchor": "end", class: "name" }));
    if (row.bar) group.append(svgEl("rect", { x: row.bar.x, y: row.bar.y, width: row.bar.width, height: row.bar.height, fill: row.highlight ? "#a50026" : "#6baed6", class: "bar" }));
    if (row.whisker) group.append(svgEl("line", { x1: row.whisker.x0, y1: row.whisker.y, x2: row.whisker.x1, y2: row.whisker.y, stroke: "#1a1a1a", class: "whisker" }));
    group.append(svgText(shape.valueX, row.cy + 4, row.valueLabel, { "text-anchor": "end", class: "value" }));
    const title = svgEl("title");
    title.textContent = row.label;
    group.append(title);
    group.addEventListener("click", () => onArea(row.code));
    group.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") onArea(row.code); });
    svg.append(group);
  }
  svg.append(svgEl("line", { x1: shape.zeroX, y1: plot.top, x2: shape.zeroX, y2: plot.bottom, stroke: "#333" }));
  if (shape.city) {
    svg.append(svgEl("line", { x1: shape.city.x, y1: shape.city.y0, x2: shape.city.x, y2: shape.city.y1, stroke: "#1a1a1a", "stroke-dasharray": "4 3", class: "city-line" }));
  }
  return svg;
}
