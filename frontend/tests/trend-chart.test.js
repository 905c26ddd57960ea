import assert from "node:assert/strict";
import { test } from "node:test";

import { textWidth } from "../lib/axes.js";
import { trendChart } from "../lib/trend-chart.js";

/** `n` months from January 2021, each made by `make(i)`. */
const months = (n, make = (i) => ({ value: 10 + i })) => Array.from({ length: n }, (_, i) => ({
  period: `${2021 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`, ...make(i),
}));

/** Tick labels never overlap one another and stay inside the chart. */
function assertReadable(ticks, width, what) {
  assert.ok(ticks.length >= 2, `${what}: at least two dates`);
  ticks.forEach((t, i) => {
    const half = textWidth(t.label) / 2;
    assert.ok(t.x - half >= 0 && t.x + half <= width, `${what}: ${t.label} inside`);
    if (i) {
      const before = ticks[i - 1];
      assert.ok(t.x - before.x >= (textWidth(t.label) + textWidth(before.label)) / 2, `${what}: ${before.label} and ${t.label} apart`);
    }
  });
}

/** Every coordinate of the chart lies within width × height. */
function assertInside(chart) {
  const pairs = [...chart.area.segments, ...(chart.city?.segments ?? []), ...(chart.band?.polygons ?? [])].join(" ").split(" ").filter(Boolean);
  for (const pair of pairs) {
    const [x, y] = pair.split(",").map(Number);
    assert.ok(x >= 0 && x <= chart.width && y >= 0 && y <= chart.height, `${pair} inside`);
  }
  for (const t of chart.yTicks) assert.ok(t.y >= chart.plot.top - 0.1 && t.y <= chart.plot.bottom + 0.1);
}

test("36 months at 320 px are labelled by year, never overlapping", () => {
  const chart = trendChart(months(36), { width: 320, height: 200, unit: "crimes" });
  assert.deepEqual(chart.xTicks.map((t) => t.label), ["2021", "2022", "2023"]);
  assertReadable(chart.xTicks, 320, "320 px");
  assertInside(chart);
});

test("36 months at 600 px are labelled every six months, never overlapping", () => {
  const chart = trendChart(months(36), { width: 600, height: 240, unit: "crimes" });
  assert.deepEqual(chart.xTicks.map((t) => t.label), ["Jan 2021", "Jul 2021", "Jan 2022", "Jul 2022", "Jan 2023", "Jul 2023"]);
  assertReadable(chart.xTicks, 600, "600 px");
  // A date's tick is on its month's point.
  assert.equal(chart.xTicks[2].x, Math.round(chart.area.points[12].x * 10) / 10);
  assertInside(chart);
});

test("dates stand apart at every width, for every type of period", () => {
  const quarters = Array.from({ length: 20 }, (_, i) => ({ period: `${2019 + Math.floor(i / 4)}-Q${(i % 4) + 1}`, value: i }));
  const years = Array.from({ length: 15 }, (_, i) => ({ period: `${2008 + i}/${String((9 + i) % 100).padStart(2, "0")}`, value: i }));
  for (let width = 240; width <= 1200; width += 40) {
    for (const [what, points] of [["36 months", months(36)], ["120 months", months(120)], ["quarters", quarters], ["financial years", years]]) {
      assertReadable(trendChart(points, { width }).xTicks, width, `${what} at ${width} px`);
    }
  }
});

test("axes have titles: the period's type and the unit", () => {
  const chart = trendChart(months(12), { unit: "per 1,000 residents" });
  assert.equal(chart.xLabel, "Month");
  assert.equal(chart.yLabel, "per 1,000 residents");
  assert.ok(chart.xLabelAt.y <= chart.height && chart.yLabelAt.y < chart.plot.top);
  assert.equal(trendChart([{ period: "2020/21", value: 1 }, { period: "2021/22", value: 2 }]).xLabel, "Financial year");
  assert.equal(trendChart([{ period: "2020/21", value: 1 }], { periodType: "academic_year" }).xLabel, "Academic year");
  assert.equal(trendChart([{ period: "2020", value: 1 }]).yLabel, "Value");
});

test("value ticks are round, apart, in the unit, and the axis starts at zero when zero is near", () => {
  const chart = trendChart(months(24, (i) => ({ value: 20 + i * 1.5 })), { height: 240, unit: "%" });
  const labels = chart.yTicks.map((t) => t.label);
  assert.equal(labels[0], "0%");
  assert.ok(labels.every((l) => /^\d+%$/.test(l)), labels.join(" "));
  chart.yTicks.forEach((t, i) => { if (i) assert.ok(chart.yTicks[i - 1].y - t.y >= 11 * 1.6); });
  // Far from zero, the axis covers the values only.
  const high = trendChart(months(12, (i) => ({ value: 1000 + i })), { height: 240 });
  assert.ok(Number(high.yTicks[0].label.replace(/,/g, "")) >= 1000, high.yTicks[0].label);
  assert.ok(Number(high.yTicks[high.yTicks.length - 1].label.replace(/,/g, "")) >= 1011);
});

test("a level series is drawn above a zero axis, not magnified", () => {
  const chart = trendChart(months(6, () => ({ value: 5 })), { height: 240 });
  assert.equal(chart.yTicks[0].label, "0");
  assert.ok(Number(chart.yTicks[chart.yTicks.length - 1].label) >= 5);
  assert.ok(chart.area.points.every((p) => p.y >= chart.plot.top && p.y < chart.plot.bottom));
  const zeros = trendChart(months(6, () => ({ value: 0 })), { height: 240 });
  assert.deepEqual([Number(zeros.yTicks[0].label), zeros.area.points[0].y], [0, zeros.plot.bottom]);
});

test("a null breaks the line instead of drawing to zero", () => {
  const chart = trendChart(months(6, (i) => ({ value: i === 2 ? null : 10 })), { width: 600, height: 240 });
  assert.equal(chart.area.segments.length, 2);
  assert.equal(chart.area.segments[0].split(" ").length, 2);
  assert.equal(chart.area.segments[1].split(" ").length, 3);
  assert.equal((chart.area.path.match(/M/g) || []).length, 2);
  assert.ok(!chart.area.points.some((p) => p.period === "2021-03"));
  // All points are drawn level at 10, none at the bottom.
  assert.equal(new Set(chart.area.points.map((p) => p.y)).size, 1);
  assert.ok(chart.area.points.every((p) => p.y < chart.plot.bottom));
  assert.match(chart.label, /1 period has no value/);
});

test("a point with no neighbour is a dot; a missing month breaks the line too", () => {
  const chart = trendChart([{ period: "2021-01", value: 1 }, { period: "2021-02", value: null }, { period: "2021-03", value: 2 },
    { period: "2021-05", value: 3 }, { period: "2021-06", value: 4 }]);
  assert.equal(chart.area.segments.length, 3);
  assert.deepEqual(chart.area.dots.map((d) => d.period), ["2021-01", "2021-03"]);
  // The gap of April is kept in time: May is four months from January, not three.
  const [jan, mar, may] = chart.area.points.map((p) => p.x);
  assert.ok(Math.abs((may - jan) - 2 * (mar - jan)) < 0.01);
});

test("unsorted periods are drawn in time order", () => {
  const chart = trendChart([{ period: "2021-03", value: 3 }, { period: "2021-01", value: 1 }, { period: "2021-02", value: 2 }]);
  assert.deepEqual(chart.area.points.map((p) => p.period), ["2021-01", "2021-02", "2021-03"]);
  assert.equal(chart.area.segments.length, 1);
});

test("the city line is drawn where the city has values, and is absent without any", () => {
  const chart = trendChart(months(12, (i) => ({ value: i, city: i < 6 ? 5 : null })));
  assert.equal(chart.city?.segments.length, 1);
  assert.equal(chart.city?.points.length, 6);
  assert.equal(trendChart(months(12)).city, null);
});

test("a band is drawn only where both bounds exist", () => {
  const chart = trendChart(months(8, (i) => ({
    value: 10, low: [1, 2, 3, 7].includes(i) ? 8 : i === 5 ? 8 : null, high: [1, 2, 3, 7].includes(i) ? 12 : null,
  })), { width: 600, height: 240 });
  // Months 2–4 make one polygon (three points up, three back); month 8 alone is a whisker;
  // month 6 has a lower bound only and draws nothing.
  assert.equal(chart.band?.polygons.length, 1);
  assert.equal(chart.band?.polygons[0].split(" ").length, 6);
  assert.deepEqual(chart.band?.whiskers.map((w) => w.period), ["2021-08"]);
  const [w] = chart.band?.whiskers ?? [];
  assert.ok(w.y0 < w.y1, "from the upper bound down to the lower");
  const xs = chart.band?.polygons[0].split(" ").map((p) => Number(p.split(",")[0]));
  const point = (period) => chart.area.points.find((p) => p.period === period).x;
  assert.deepEqual([xs[0], xs[2]], [Number(point("2021-02").toFixed(1)), Number(point("2021-04").toFixed(1))]);
  assert.equal(trendChart(months(8)).band, null);
  assert.match(trendChart([{ period: "2021", value: 5, low: 4, high: 6 }]).label, /95% interval 4 to 6/);
});

test("the marker lands on the period where the change began", () => {
  const chart = trendChart(months(36), { width: 600, height: 240, changeFrom: "2023-03" });
  const march = chart.area.points.find((p) => p.period === "2023-03");
  assert.equal(chart.marker?.x, Math.round(march.x * 10) / 10);
  assert.equal(chart.marker?.label, "Change began 2023-03");
  assert.deepEqual([chart.marker?.y0, chart.marker?.y1], [chart.plot.top, chart.plot.bottom]);
  // Its text on the side with room: after the line here, before it near the right edge.
  assert.equal(chart.marker?.labelAt.anchor, "start");
  assert.equal(chart.marker?.labelAt.x, chart.marker.x + 4);
  const late = trendChart(months(36), { width: 320, changeFrom: "2023-10" });
  assert.deepEqual([late.marker?.labelAt.anchor, late.marker?.labelAt.x], ["end", late.marker.x - 4]);
  assert.ok(late.marker.labelAt.x - textWidth(late.marker.label) >= 0);
  assert.match(chart.label, /change began 2023-03/);
  // A period without a value still has its place; one outside the chart has no marker.
  const gap = trendChart(months(12, (i) => ({ value: i === 4 ? null : i })), { changeFrom: "2021-05" });
  const [april, june] = [gap.area.points[3].x, gap.area.points[4].x];
  assert.ok(Math.abs(gap.marker.x - (april + june) / 2) < 0.1);
  assert.equal(trendChart(months(12), { changeFrom: "2030-01" }).marker, null);
  assert.equal(trendChart(months(12), { changeFrom: "not a period" }).marker, null);
  assert.equal(trendChart(months(12)).marker, null);
});

test("a window is shaded from the start of its first period to the end of its last, within the chart", () => {
  const chart = trendChart(months(24), { width: 600, windowFrom: "2022-01", windowTo: "2022-12" });
  const [dec, jan] = [chart.area.points[11].x, chart.area.points[12].x];
  assert.ok(Math.abs(chart.window.x0 - (dec + jan) / 2) < 0.1);
  assert.equal(chart.window.x1, chart.plot.right);
  assert.equal(chart.window.label, "Alert window 2022-01 to 2022-12");
  // Clipped to the chart, open at either end, and nothing when outside it.
  assert.equal(trendChart(months(24), { windowFrom: "2020-01", windowTo: "2021-06" }).window.x0, trendChart(months(24)).plot.left);
  assert.equal(trendChart(months(24), { windowFrom: "2022-07" }).window.label, "Alert window 2022-07 to 2022-12");
  assert.equal(trendChart(months(24), { windowFrom: "2025-01", windowTo: "2025-12" }).window, null);
  assert.equal(trendChart(months(24)).window, null);
});

test("periods that are not dates are placed in order, evenly, labelled as written", () => {
  const chart = trendChart([{ period: "IMD 2015", value: 3 }, { period: "IMD 2019", value: 4 }, { period: "<b>2025</b>", value: 5 }], { width: 400, changeFrom: "IMD 2019" });
  assert.equal(chart.periodType, "category");
  assert.equal(chart.xLabel, "Period");
  assert.deepEqual(chart.xTicks.map((t) => t.label), ["IMD 2015", "IMD 2019", "<b>2025</b>"]);
  const [a, b, c] = chart.area.points.map((p) => p.x);
  assert.ok(Math.abs((b - a) - (c - b)) < 0.01);
  assert.equal(chart.marker?.x, Math.round(b * 10) / 10);
  // Mixed types are categories too: a month beside a year has no one time line.
  assert.equal(trendChart([{ period: "2021", value: 1 }, { period: "2021-06", value: 2 }]).periodType, "category");
  // Many categories in a narrow chart: every other one, or fewer, but apart.
  const many = Array.from({ length: 30 }, (_, i) => ({ period: `Wave ${i + 1}`, value: i }));
  const narrow = trendChart(many, { width: 320 });
  assert.ok(narrow.xTicks.length < 30);
  assertReadable(narrow.xTicks, 320, "waves");
});

test("one point is drawn as a dot in the middle, with its date", () => {
  const chart = trendChart([{ period: "2023-Q2", value: 7, city: 6 }], { width: 300, height: 200 });
  assert.equal(chart.area.points.length, 1);
  assert.equal(chart.area.dots.length, 1);
  assert.ok(Math.abs(chart.area.points[0].x - (chart.plot.left + chart.plot.right) / 2) < 0.01);
  assert.deepEqual(chart.xTicks.map((t) => t.label), ["2023 Q2"]);
  assert.equal(chart.city?.dots.length, 1);
  assert.equal(chart.empty, false);
});

test("all null: axes, no line, and the label says so", () => {
  const chart = trendChart(months(6, () => ({ value: null })), { width: 320 });
  assert.equal(chart.empty, true);
  assert.deepEqual(chart.area, { segments: [], path: "", points: [], dots: [] });
  assert.equal(chart.city, null);
  assert.equal(chart.band, null);
  assert.ok(chart.yTicks.length >= 2);
  assert.ok(chart.xTicks.length >= 1);
  assert.match(chart.label, /no period has a value/);
  const none = trendChart([]);
  assert.equal(none.empty, true);
  assert.deepEqual(none.xTicks, []);
  assert.match(none.label, /No periods to chart/);
});

test("negative values are drawn below zero, which the axis shows", () => {
  const chart = trendChart(months(6, (i) => ({ value: i - 3 })), { height: 240, unit: "points" });
  const labels = chart.yTicks.map((t) => t.label);
  assert.ok(labels.includes("0") && labels.some((l) => l.startsWith("-")), labels.join(" "));
  const zero = chart.yTicks.find((t) => t.label === "0").y;
  const first = chart.area.points[0];
  assert.ok(first.value < 0 && first.y > zero);
  assertInside(chart);
  const below = trendChart(months(6, (i) => ({ value: -1 - i })));
  assert.equal(below.yTicks[below.yTicks.length - 1].label, "0");
});

test("its label describes the chart in words, taking text as text", () => {
  const chart = trendChart(months(3, (i) => ({ value: i + 1, city: 2 })), { unit: "crimes", title: "Burglary <b>", changeFrom: "2021-02" });
  assert.equal(chart.label, "Burglary <b>: trend by month, 2021-01 to 2021-03; latest 2021-03: 3 crimes, the city 2 crimes; change began 2021-02");
});
