import assert from "node:assert/strict";
import { test } from "node:test";

import { BLANK, LOADING, areaSummary, areasWithValue, colourOf, periodsOf } from "../lib/values.js";

const values = {
  legend: {
    indicator: { code: "all_crime", title: "All crime", unit: "crimes" },
    area_type: "lsoa", period: "2023-06", periods: ["2023-05", "2023-06"],
    city: { what: "average area", value: 12.345 },
    scheme: "quantiles", palette: "p", classes: [],
    suppressed: { colour: "#bdbdbd", count: 1, why: "" },
    no_data: { colour: "#ffffff", count: 1, why: "" },
  },
  areas: {
    E01: { value: 10, class: 0, status: "data", colour: "#ffffb2", period: "2023-06" },
    E02: { value: null, class: null, status: "suppressed", colour: "#bdbdbd", period: "2023-06" },
    E03: { value: 1, class: 0, status: "data", colour: "#ffffb2", period: "2023-06" },
  },
};

test("an area is filled with its class colour, the no-data colour when it has none", () => {
  assert.equal(colourOf(values, "E01"), "#ffffb2");
  assert.equal(colourOf(values, "E99"), "#ffffff");
  assert.equal(colourOf(null, "E01"), BLANK);
});

test("hovering tells the value and the city's, or why there is none", () => {
  assert.deepEqual(areaSummary(values, "E01", "Sheffield 001A"), {
    name: "Sheffield 001A", code: "E01", lines: ["10 crimes", "average area: 12.35 crimes"],
  });
  assert.deepEqual(areaSummary(values, "E02", "S").lines, ["suppressed (small count)"]);
  assert.deepEqual(areaSummary(values, "E99", "S").lines, ["no value"]);
  assert.deepEqual(areaSummary(null, "E01", "S").lines, []);
});

test("while another view's values are on their way, hovering tells no old value", () => {
  const view = { indicator: "all_crime", type: "lsoa", period: null };
  assert.deepEqual(areaSummary(values, "E01", "S", view).lines, ["10 crimes", "average area: 12.35 crimes"]);
  assert.deepEqual(areaSummary(values, "E01", "S", { ...view, period: "2023-06" }).lines[0], "10 crimes");
  assert.deepEqual(areaSummary(values, "E01", "S", { ...view, indicator: "burglary" }).lines, [LOADING]);
  assert.deepEqual(areaSummary(values, "E01", "S", { ...view, type: "msoa" }).lines, [LOADING]);
  assert.deepEqual(areaSummary(values, "E01", "S", { ...view, period: "2023-05" }).lines, [LOADING]);
});

test("the areas of one value", () => {
  assert.deepEqual(areasWithValue(values, 1), ["E03"]);
});

test("the periods are the shown values' only for their own indicator and type", () => {
  assert.deepEqual(periodsOf(values, { indicator: "all_crime", type: "lsoa" }), ["2023-05", "2023-06"]);
  assert.equal(periodsOf(values, { indicator: "burglary", type: "lsoa" }), null);
  assert.equal(periodsOf(values, { indicator: "all_crime", type: "msoa" }), null);
  assert.equal(periodsOf(null, { indicator: "all_crime", type: "lsoa" }), null);
});
