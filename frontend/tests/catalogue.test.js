import assert from "node:assert/strict";
import { test } from "node:test";

import { defaultIndicator, groupIndicators, newestCount, typesFor } from "../lib/catalogue.js";

const indicators = [
  { code: "burglary", title: "Burglary", agency: "Police", topic: "Crime", area_types: ["lsoa", "msoa"] },
  { code: "all_crime", title: "All recorded crime", agency: "Police", topic: "Crime", area_types: ["lsoa", "msoa"] },
  { code: "imd_decile", title: "IMD decile", agency: "MHCLG", topic: "Deprivation", area_types: ["lsoa"] },
];

const types = [
  { code: "msoa", name: "MSOA", vintages: [{ count: 70 }] },
  { code: "lsoa", name: "LSOA", vintages: [{ count: 340 }, { count: 345 }] },
  { code: "ward", name: "Ward", vintages: [] },
];

test("indicators are grouped by agency and topic, in catalogue order", () => {
  const groups = groupIndicators(indicators);
  assert.deepEqual(groups.map(([label, list]) => [label, list.map((i) => i.code)]), [
    ["Police — Crime", ["burglary", "all_crime"]],
    ["MHCLG — Deprivation", ["imd_decile"]],
  ]);
});

test("the filter matches title, code, agency or topic in any case", () => {
  assert.deepEqual(groupIndicators(indicators, "BURG").flatMap(([, l]) => l.map((i) => i.code)), ["burglary"]);
  assert.deepEqual(groupIndicators(indicators, "deprivation").flatMap(([, l]) => l.map((i) => i.code)), ["imd_decile"]);
  assert.deepEqual(groupIndicators(indicators, "nothing"), []);
});

test("the search also matches the synonyms the catalogue declares", () => {
  const catalogue = [
    ...indicators,
    { code: "persistent_absence", title: "Persistent absence", agency: "schools", topic: "education",
      area_types: ["lsoa"], value_type: "percentage", synonyms: ["truancy", "attendance"] },
    { code: "criminal_damage_arson", title: "Criminal damage and arson", agency: "police", topic: "crime",
      area_types: ["lsoa"], value_type: "count", synonyms: ["vandalism", "graffiti"] },
  ];
  const found = (filter) => groupIndicators(catalogue, filter).flatMap(([, l]) => l.map((i) => i.code));
  assert.deepEqual(found("truancy"), ["persistent_absence"]);
  assert.deepEqual(found("  Truancy "), ["persistent_absence"]);
  assert.deepEqual(found("graffiti"), ["criminal_damage_arson"]);
  assert.deepEqual(found("absence"), ["persistent_absence"]);
  assert.deepEqual(found("burg"), ["burglary"], "an indicator without synonyms is found as before");
});

test("the default indicator is a rate: crime per 1,000 residents, else the first rate or percentage, else the first", () => {
  const rate = { code: "all_crime_rate", title: "Recorded crime per 1,000 residents", agency: "Police", topic: "Crime",
    area_types: ["lsoa"], value_type: "rate" };
  const share = { code: "persistent_absence", title: "Persistent absence", agency: "schools", topic: "education",
    area_types: ["lsoa"], value_type: "percentage" };
  const counts = indicators.map((i) => ({ ...i, value_type: "count" }));
  assert.equal(defaultIndicator([...counts, share, rate]), "all_crime_rate");
  assert.equal(defaultIndicator([...counts, share]), "persistent_absence", "never a month's raw count when a rate is there");
  assert.equal(defaultIndicator(counts), "burglary");
  assert.equal(defaultIndicator(indicators.slice(2)), "imd_decile");
  assert.equal(defaultIndicator([]), null);
});

test("a type's map shows its newest vintage's areas", () => {
  assert.equal(newestCount(types[1]), 345);
  assert.equal(newestCount(types[2]), 0);
});

test("the types offered are those with areas the indicator is published at; the finest by default", () => {
  const { allowed, type } = typesFor(types, indicators[2], null);
  assert.deepEqual(allowed.map((t) => t.code), ["lsoa"]);
  assert.equal(type, "lsoa");
  assert.equal(typesFor(types, indicators[0], "msoa").type, "msoa");
  assert.equal(typesFor(types, indicators[0], "ward").type, "lsoa", "a type without areas is not kept");
  assert.deepEqual(typesFor(types, undefined, null).allowed.map((t) => t.code), ["msoa", "lsoa"]);
});

test("a type of one area (the city) is no choropleth: never offered, never kept", () => {
  const city = { code: "city", name: "City", vintages: [{ count: 1 }] };
  const withCity = [city, ...types];
  const everywhere = { ...indicators[0], area_types: ["lsoa", "msoa", "city"] };
  assert.deepEqual(typesFor(withCity, everywhere, null).allowed.map((t) => t.code), ["msoa", "lsoa"]);
  assert.equal(typesFor(withCity, everywhere, "city").type, "lsoa");
  assert.ok(!typesFor(withCity, undefined, null).allowed.some((t) => t.code === "city"));
});

test("an officer's custom areas are offered for every indicator, and never chosen by default", () => {
  const patch = { code: "custom-0a1b2c3d", name: "Custom area: Page Hall", vintages: [{ count: 1 }], custom: true };
  const { allowed, type } = typesFor([...types, patch], indicators[2], null);
  assert.deepEqual(allowed.map((t) => t.code), ["lsoa", "custom-0a1b2c3d"]);
  assert.equal(type, "lsoa");
  assert.equal(typesFor([...types, patch], indicators[2], patch.code).type, patch.code);
});
