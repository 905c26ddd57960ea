import assert from "node:assert/strict";
import { test } from "node:test";

import { classLabel, legendView } from "../lib/legend.js";

/** An /api/maps answer's legend, as the server gives it. */
function legend(overrides = {}) {
  return {
    indicator: { code: "burglary", title: "Burglary", unit: "crimes" },
    area_type: "lsoa",
    period: "2023-06",
    periods: ["2023-05", "2023-06"],
    city: null,
    scheme: "equal_interval",
    palette: "ColorBrewer YlOrRd",
    classes: [
      { class: 0, lower: 0, upper: 2.5, colour: "#ffffb2", count: 10 },
      { class: 1, lower: 2.5, upper: 1000, colour: "#bd0026", count: 3 },
    ],
    suppressed: { colour: "#bdbdbd", count: 0, why: "counts below 5 are hidden" },
    no_data: { colour: "#ffffff", count: 2, why: "no value for this area and period" },
    ...overrides,
  };
}

test("one row per class with its range, unit and count, then the areas without a class", () => {
  const view = legendView(legend());
  assert.equal(view.heading, "Burglary, 2023-06");
  assert.deepEqual(view.rows, [
    { colour: "#ffffb2", label: "0 – 2.5 crimes (10)" },
    { colour: "#bd0026", label: "2.5 – 1,000 crimes (3)" },
    { colour: "#ffffff", label: "No data (2)", why: "no value for this area and period" },
  ]);
  assert.equal(view.note, "ColorBrewer YlOrRd; equal interval");
});

test("suppressed areas get a row when there are some", () => {
  const view = legendView(legend({ suppressed: { colour: "#bdbdbd", count: 4, why: "small counts" } }));
  assert.deepEqual(view.rows.at(-2), { colour: "#bdbdbd", label: "Suppressed (4)", why: "small counts" });
});

test("no period: the heading says no data", () => {
  assert.equal(legendView(legend({ period: null, classes: [] })).heading, "Burglary, no data");
});

test("server text stays as it came (the page sets it as text)", () => {
  const view = legendView(legend({ indicator: { code: "x", title: "<b>T</b>", unit: "<i>" } }));
  assert.equal(view.heading, "<b>T</b>, 2023-06");
  assert.equal(view.rows[0].label, "0 – 2.5 <i> (10)");
});

test("the suppressed row offers to sign in when the page can, and only that row", () => {
  const suppressed = { colour: "#bdbdbd", count: 4, why: "counts below 3 are hidden in public outputs" };
  const offered = legendView(legend({ suppressed }), { offersSignIn: true }).rows;
  assert.deepEqual(offered.filter((r) => r.signIn).map((r) => r.label), ["Suppressed (4)"]);
  assert.ok(!legendView(legend({ suppressed })).rows.some((r) => r.signIn), "signed in, or no way to");
});

test("a restricted view's legend carries its marking; another's none", () => {
  const marking = "Partners only — not for publication";
  assert.equal(legendView(legend({ marking })).marking, marking);
  assert.equal(legendView(legend({ marking: null })).marking, null);
  assert.equal(legendView(legend()).marking, null, "a server that sends none");
});

test("a class of one value is that value, and ranges start at their smallest value: no overlap", () => {
  const view = legendView(legend({
    scheme: "fisher_jenks",
    classification_note: "natural breaks (Fisher-Jenks), not quantiles: 5 quantiles would tie (153 of 345 areas have 0)",
    classes: [
      { class: 0, lower: 0, upper: 0, least: 0, colour: "#ffffcc", count: 153 },
      { class: 1, lower: 0, upper: 0.96, least: 0.31, colour: "#fd8d3c", count: 100 },
      { class: 2, lower: 0.96, upper: 6.52, least: 1.02, colour: "#800026", count: 92 },
    ],
  }));
  assert.deepEqual(view.rows.slice(0, 3).map((r) => r.label), [
    "0 crimes (153)", "0.31 – 0.96 crimes (100)", "1.02 – 6.52 crimes (92)",
  ]);
  assert.ok(!view.rows.some((r) => /^0 crimes – 0 crimes/.test(r.label)));
  assert.equal(
    view.note,
    "ColorBrewer YlOrRd; fisher jenks; natural breaks (Fisher-Jenks), not quantiles: 5 quantiles would tie (153 of 345 areas have 0)",
  );
});

test("a class whose bounds round alike is one value", () => {
  assert.equal(classLabel({ class: 0, lower: 3.931, upper: 3.939, least: 3.936, colour: "#fff", count: 2 }, "%"), "3.94 %");
});

test("bands get a categorical legend: one row per band, named, never a range", () => {
  const labels = ["1 (most deprived)", "2", "3", "4", "5", "6", "7", "8", "9", "10 (least deprived)"];
  const view = legendView(legend({
    indicator: { code: "imd_decile", title: "IMD decile", unit: "decile (1 = most deprived)" },
    scheme: "categories",
    categorical: true,
    classes: labels.map((label, i) => ({
      class: i, lower: i + 1, upper: i + 1, least: i + 1, label, colour: `#00000${i}`, count: i === 6 ? 0 : 30,
    })),
    no_data: { colour: "#ffffff", count: 0, why: "" },
  }));
  assert.deepEqual(view.rows.map((r) => r.label), labels.map((l, i) => `${l} (${i === 6 ? 0 : 30})`));
  assert.ok(!view.rows.some((r) => r.label.includes("–")));
  assert.equal(view.note, "ColorBrewer YlOrRd; one class per value");
});
