import assert from "node:assert/strict";
import { test } from "node:test";

import { spineChart } from "../lib/spine-chart.js";

const SPINE = { min: 2, q1: 6, median: 9, q3: 14, max: 30 };

test("the bar is centred on the city, its furthest end at the edge, worse on the left", () => {
  // Higher is worse: higher values are drawn on the left. The city is 10, at 106; 30 is 20
  // away, the furthest, so it reaches the left end (6 px in): 5 px a unit, and 2 lies at 146.
  const chart = spineChart(SPINE, 12, { width: 212, height: 20, city: 10, polarity: "higher_is_worse", comparison: "worse" });
  assert.equal(chart.reversed, true);
  assert.deepEqual(chart.ends, { left: "Worse", right: "Better" });
  assert.deepEqual(chart.centre, { x: 106, y0: 0, y1: 20, what: "city", value: 10 });
  assert.deepEqual(chart.bars, [
    { x: 126, y: 3, width: 20, height: 14, kind: "outer", from: "min", to: "q1" },
    { x: 111, y: 3, width: 15, height: 14, kind: "inner", from: "q1", to: "median" },
    { x: 86, y: 3, width: 25, height: 14, kind: "inner", from: "median", to: "q3" },
    { x: 6, y: 3, width: 80, height: 14, kind: "outer", from: "q3", to: "max" },
  ]);
  assert.deepEqual(chart.median, { x: 111, y0: 3, y1: 17, value: 9 });
  assert.deepEqual(chart.marker, { x: 96, y: 10, tone: "worse", outside: null, value: 12 });
});

test("higher is better and no judgement draw low values on the left", () => {
  const better = spineChart(SPINE, 12, { width: 212, city: 10, polarity: "higher_is_better", comparison: "better" });
  assert.equal(better.reversed, false);
  assert.deepEqual(better.ends, { left: "Worse", right: "Better" });
  assert.equal(better.marker?.x, 116);
  assert.equal(better.marker?.tone, "better");
  const neutral = spineChart(SPINE, 12, { width: 212, city: 10 });
  assert.deepEqual(neutral.ends, { left: "Lower", right: "Higher" });
  assert.equal(neutral.marker?.x, 116);
});

test("the marker's colour class is the caller's comparison, else not compared", () => {
  for (const [comparison, tone] of [["better", "better"], ["similar", "similar"], ["worse", "worse"], ["not compared", "not-compared"],
    ["higher", "not-compared"], [null, "not-compared"], ["<b>", "not-compared"]]) {
    assert.equal(spineChart(SPINE, 5, { comparison }).marker?.tone, tone);
  }
});

test("without a city value the bar is centred on the median", () => {
  const chart = spineChart(SPINE, 12, { width: 212 });
  assert.equal(chart.centre?.what, "median");
  assert.equal(chart.centre?.x, 106);
  assert.equal(chart.median, null);
});

test("a value outside the range is still drawn, and said to be outside", () => {
  const chart = spineChart(SPINE, 45, { width: 212, city: 10, polarity: "higher_is_worse" });
  // 45 is the furthest now: it reaches the left end, and the bar is shorter.
  assert.equal(chart.marker?.x, 6);
  assert.equal(chart.marker?.outside, "above");
  assert.ok(Math.min(...chart.bars.map((b) => b.x)) > 6);
  assert.match(chart.label, /above the range of all areas/);
  assert.equal(spineChart(SPINE, -4, { city: 10 }).marker?.outside, "below");
  for (const b of chart.bars) assert.ok(b.x >= 0 && b.x + b.width <= 212);
});

test("min == max: no bar of no width, every mark at the centre", () => {
  const chart = spineChart({ min: 5, q1: 5, median: 5, q3: 5, max: 5 }, 5, { width: 200, city: 5 });
  assert.deepEqual(chart.bars, []);
  assert.equal(chart.centre?.x, 100);
  assert.equal(chart.marker?.x, 100);
  assert.match(chart.label, /every area 5/);
  const zero = spineChart({ min: 0, q1: 0, median: 0, q3: 0, max: 0 }, 0, { width: 200 });
  assert.equal(zero.marker?.x, 100);
  assert.ok([zero.centre?.x, zero.marker?.x].every(Number.isFinite));
});

test("suppressed statistics leave out the ranges they bound", () => {
  const noMedian = spineChart({ min: 2, q1: 6, median: null, q3: 14, max: 30 }, 12, { width: 212, city: 10 });
  assert.deepEqual(noMedian.bars.map((b) => `${b.from}-${b.to} ${b.kind}`), ["min-q1 outer", "q1-q3 inner", "q3-max outer"]);
  assert.equal(noMedian.median, null);
  const noEnds = spineChart({ min: null, q1: 6, median: 9, q3: 14, max: null }, 12, { width: 212, city: 10 });
  assert.deepEqual(noEnds.bars.map((b) => `${b.from}-${b.to}`), ["q1-median", "median-q3"]);
  assert.match(noEnds.label, /the range of areas is not shown/);
  const nothing = spineChart({ min: null, q1: null, median: null, q3: null, max: null }, null, {});
  assert.deepEqual([nothing.bars, nothing.centre, nothing.median, nothing.marker], [[], null, null, null]);
  assert.match(nothing.label, /^No value here/);
  // Only the area's value: drawn in the middle.
  const alone = spineChart({ min: null, q1: null, median: null, q3: null, max: null }, 7, { width: 100 });
  assert.equal(alone.marker?.x, 50);
  assert.equal(alone.centre, null);
});

test("a missing area value draws the spine without a marker", () => {
  const chart = spineChart(SPINE, null, { city: 10 });
  assert.equal(chart.marker, null);
  assert.equal(chart.bars.length, 4);
  assert.match(chart.label, /^No value here; the city 10/);
});

test("its label reads the chart in the unit", () => {
  const chart = spineChart(SPINE, 12, { city: 10, comparison: "worse", unit: "%" });
  assert.equal(chart.label, "Here 12% (worse); the city 10%; areas range from 2% to 30%; the middle half from 6% to 14% (median 9%)");
  const rate = spineChart(SPINE, 12, { city: 10, comparison: "similar", unit: "per 1,000 residents" });
  assert.equal(rate.label, "Here 12 per 1,000 residents (similar); the city 10 per 1,000 residents; " +
    "areas range from 2 to 30 per 1,000 residents; the middle half from 6 to 14 per 1,000 residents (median 9 per 1,000 residents)");
});
