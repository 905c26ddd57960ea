import assert from "node:assert/strict";
import { test } from "node:test";

import { textWidth } from "../lib/axes.js";
import { compareBars } from "../lib/bar-chart.js";

const ROWS = [
  { code: "E01", name: "Sheffield 010A", value: 12, low: 10, high: 14, suppressed: false },
  { code: "E02", name: "Sheffield 002B", value: 30, low: 25, high: 36, suppressed: false },
  { code: "E03", name: "Sheffield 001C", value: 99, low: 90, high: 110, suppressed: true },
  { code: "E04", name: "Sheffield 020D", value: 4, low: null, high: null, suppressed: false },
  { code: "E05", name: "Sheffield 003E", value: null, low: null, high: null, suppressed: false },
];
const codes = (chart) => chart.rows.map((r) => r.code);

test("sorted by value, highest first unless told; those without a value follow by name", () => {
  assert.deepEqual(codes(compareBars(ROWS)), ["E02", "E01", "E04", "E03", "E05"]);
  assert.deepEqual(codes(compareBars(ROWS, { sort: "value-desc" })), ["E02", "E01", "E04", "E03", "E05"]);
  assert.deepEqual(codes(compareBars(ROWS, { sort: "value-asc" })), ["E04", "E01", "E02", "E03", "E05"]);
});

test("sorted by name, numbers in names in their order, suppressed rows in their place", () => {
  const rows = [...ROWS, { code: "E06", name: "Sheffield 0100", value: 1 }, { code: "E07", name: "sheffield 009F", value: 2 }];
  assert.deepEqual(compareBars(rows, { sort: "name" }).rows.map((r) => r.name),
    ["Sheffield 001C", "Sheffield 002B", "Sheffield 003E", "sheffield 009F", "Sheffield 010A", "Sheffield 020D", "Sheffield 0100"]);
  // Ties in value go by name.
  const tied = compareBars([{ code: "b", name: "B", value: 1 }, { code: "a", name: "A", value: 1 }]);
  assert.deepEqual(codes(tied), ["a", "b"]);
});

test("a suppressed row draws nothing, says so, and keeps none of the numbers it was sent", () => {
  const row = compareBars(ROWS, { sort: "name" }).rows[0];
  assert.equal(row.code, "E03");
  assert.deepEqual([row.value, row.low, row.high, row.bar, row.whisker], [null, null, null, null, null]);
  assert.equal(row.valueLabel, "suppressed");
  assert.equal(row.label, "Sheffield 001C: suppressed");
  // Its 110 does not stretch the scale either.
  const chart = compareBars(ROWS);
  assert.ok(chart.axis.ticks.every((t) => Number(t.label) <= 40), chart.axis.ticks.map((t) => t.label).join(" "));
  assert.doesNotMatch(JSON.stringify(chart), /99|110/);
  assert.match(chart.label, /1 suppressed/);
});

test("bars run from zero to the value, with the interval as a whisker, in row order", () => {
  const chart = compareBars(ROWS, { width: 600, rowHeight: 20, city: 15, unit: "per 1,000 residents" });
  const [top, second] = chart.rows;
  const scale = (second.bar.width) / 12;
  assert.equal(top.bar.x, chart.zeroX);
  assert.ok(Math.abs(top.bar.width - 30 * scale) < 0.2);
  assert.deepEqual([top.y, second.y], [chart.plot.top, chart.plot.top + 20]);
  assert.deepEqual([top.bar.y, top.bar.height, top.cy], [chart.plot.top + 4, 12, chart.plot.top + 10]);
  assert.ok(Math.abs(top.whisker.x0 - (chart.zeroX + 25 * scale)) < 0.2 && Math.abs(top.whisker.x1 - (chart.zeroX + 36 * scale)) < 0.2);
  assert.equal(top.whisker.y, top.cy);
  assert.equal(chart.rows.find((r) => r.code === "E04").whisker, null);
  assert.equal(chart.rows.find((r) => r.code === "E05").valueLabel, "no value");
  assert.equal(top.label, "Sheffield 002B: 30 per 1,000 residents (95% interval 25 to 36 per 1,000 residents)");
  assert.equal(top.valueLabel, "30");
  // The city's line, across every row.
  assert.ok(Math.abs(chart.cityX - (chart.zeroX + 15 * scale)) < 0.2);
  assert.deepEqual([chart.city.y0, chart.city.y1, chart.city.label], [chart.plot.top, chart.plot.bottom, "City 15"]);
  assert.equal(chart.height, chart.plot.bottom + 11 + 10);
  assert.equal(chart.plot.bottom, chart.plot.top + 5 * 20);
});

test("the highlighted area is marked", () => {
  const chart = compareBars(ROWS, { highlight: "E04" });
  assert.deepEqual(chart.rows.filter((r) => r.highlight).map((r) => r.code), ["E04"]);
  assert.equal(compareBars(ROWS).rows.some((r) => r.highlight), false);
});

test("negative values run left of zero, and the axis shows zero", () => {
  const chart = compareBars([{ code: "a", name: "A", value: -6 }, { code: "b", name: "B", value: 4 }], { width: 400 });
  const [b, a] = chart.rows;
  assert.equal(b.bar.x, chart.zeroX);
  assert.ok(Math.abs(a.bar.x + a.bar.width - chart.zeroX) < 0.11 && a.bar.x < chart.zeroX);
  assert.ok(chart.axis.ticks.some((t) => Number(t.label) === 0 && t.x === chart.zeroX));
  assert.ok(chart.axis.ticks.some((t) => t.label.startsWith("-")));
});

test("axis ticks are round, in the plot, and never overlap at 320 or 600 px", () => {
  const rows = Array.from({ length: 40 }, (_, i) => ({ code: `c${i}`, name: `Area ${i}`, value: i * 317.3, low: i * 300, high: i * 340 }));
  for (const width of [320, 600]) {
    const chart = compareBars(rows, { width, unit: "residents" });
    const { ticks } = chart.axis;
    assert.ok(ticks.length >= 2);
    ticks.forEach((t, i) => {
      assert.ok(t.x >= chart.plot.left - 0.1 && t.x <= chart.plot.right + 0.1);
      if (i) assert.ok(t.x - ticks[i - 1].x >= (textWidth(t.label) + textWidth(ticks[i - 1].label)) / 2, `${width}: ${ticks[i - 1].label} ${t.label}`);
    });
    for (const r of chart.rows) assert.ok(r.bar.x >= 0 && r.bar.x + r.bar.width <= chart.plot.right + 0.1 && r.whisker.x1 <= chart.plot.right + 0.1);
  }
  const percent = compareBars([{ code: "a", name: "A", value: 40 }], { unit: "%" }).axis.ticks.map((t) => t.label);
  assert.equal(percent[0], "0%");
  assert.ok(percent.every((l) => /^\d+%$/.test(l)), percent.join(" "));
});

test("a narrow chart keeps its scale close to the data, labelling fewer ticks, zero among them", () => {
  const rows = [{ code: "a", name: "Sheffield 021D", value: 23.7 }, { code: "b", name: "Sheffield 017D", value: -3.1 }];
  const chart = compareBars(rows, { width: 320 });
  const values = chart.axis.ticks.map((t) => Number(t.label));
  assert.ok(values.includes(0));
  assert.ok(Math.max(...values) <= 30 && Math.min(...values) >= -5, values.join(" "));
  // The longest bar spans most of the plot.
  const bar = chart.rows[0].bar;
  assert.ok(bar.x + bar.width > chart.plot.right - 0.25 * (chart.plot.right - chart.plot.left));
});

test("no rows, or none with a value, still give an axis", () => {
  const empty = compareBars([]);
  assert.deepEqual(empty.rows, []);
  assert.ok(empty.axis.ticks.length >= 2);
  const suppressed = compareBars([{ code: "a", name: "A", value: 5, suppressed: true }]);
  assert.equal(suppressed.rows[0].bar, null);
  assert.equal(suppressed.label, "1 area, highest first; 1 suppressed");
});
