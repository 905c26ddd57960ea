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

test("the default indicator is all crime, else the first", () => {
  assert.equal(defaultIndicator(indicators), "all_crime");
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

test("an officer's custom areas are offered for every indicator, and never chosen by default", () => {
  const patch = { code: "custom-0a1b2c3d", name: "Custom area: Page Hall", vintages: [{ count: 1 }], custom: true };
  const { allowed, type } = typesFor([...types, patch], indicators[2], null);
  assert.deepEqual(allowed.map((t) => t.code), ["lsoa", "custom-0a1b2c3d"]);
  assert.equal(type, "lsoa");
  assert.equal(typesFor([...types, patch], indicators[2], patch.code).type, patch.code);
});
