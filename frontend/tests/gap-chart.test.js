import assert from "node:assert/strict";
import { test } from "node:test";

import { gapChart, intervalText, latestGap } from "../lib/gap-chart.js";

const iv = (value, lower = value - 1, upper = value + 1) => ({ value, lower, upper });
const period = (name, md, rest, extra = {}) => ({
  period: name, withheld: false, most_deprived: md, rest, absolute_gap: iv(md.value - rest.value),
  relative_gap: iv(2, 1.5, 2.5), sii: iv(-3, -4, -2), ...extra,
});

test("both groups are drawn on one scale that holds every interval", () => {
  const chart = gapChart([period("q1", iv(6), iv(2)), period("q2", iv(8), iv(2))], 108, 44);
  assert.deepEqual(chart?.range, [1, 9]);
  // x: 4 and 104; y: 9 is the top (4), 1 the bottom (40); 4.5 a unit.
  assert.equal(chart?.mostDeprived.points, "4.0,17.5 104.0,8.5");
  assert.equal(chart?.rest.points, "4.0,35.5 104.0,35.5");
  // The band: along the upper bounds, back along the lower.
  assert.equal(chart?.mostDeprived.band, "4.0,13.0 104.0,4.0 104.0,13.0 4.0,22.0");
  assert.equal(chart?.label, "q1 … q2");
});

test("withheld periods are left out, and fewer than two periods draw nothing", () => {
  const withheld = period("q2", iv(null, null, null), iv(null, null, null), { withheld: true });
  const chart = gapChart([period("q1", iv(6), iv(2)), withheld, period("q3", iv(8), iv(2))], 108, 44);
  assert.equal(chart?.mostDeprived.points.split(" ").length, 2);
  assert.equal(gapChart([period("q1", iv(6), iv(2)), withheld]), null);
});

test("intervals and the latest gap read as text", () => {
  assert.equal(intervalText(iv(6.234, 5.91, 6.5)), "6.23 (5.91 to 6.5)");
  assert.equal(intervalText({ value: null, lower: null, upper: null }), "no value");
  const latest = latestGap([period("q1", iv(6), iv(2)), period('"><b>q2', iv(8), iv(2))], "fifth");
  assert.equal(latest?.period, '"><b>q2');
  assert.deepEqual(latest?.lines.slice(0, 3), ["Most deprived fifth: 8 (7 to 9)", "Rest of the city: 2 (1 to 3)", "Absolute gap: 6 (5 to 7)"]);
  assert.equal(latest?.lines[4], "Slope index of inequality: -3 (-4 to -2)");
});
