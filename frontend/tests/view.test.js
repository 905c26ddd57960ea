import assert from "node:assert/strict";
import { test } from "node:test";

import { DEFAULT_VIEW, VIEW_KEYS, nextPeriod, recoverView } from "../lib/view.js";

test("the view's keys are in the URL's order", () => {
  assert.deepEqual(VIEW_KEYS, ["indicator", "type", "period", "scheme", "classes", "area"]);
});

test("play goes to the next period and back to the first after the last", () => {
  const periods = ["2023-01", "2023-02", "2023-03"];
  assert.equal(nextPeriod(periods, "2023-01"), "2023-02");
  assert.equal(nextPeriod(periods, "2023-03"), "2023-01");
  assert.equal(nextPeriod(periods, null), "2023-01");
  assert.equal(nextPeriod(periods, "1999-01"), "2023-01");
  assert.equal(nextPeriod([], "2023-01"), null);
});

const offered = {
  indicators: ["all_crime", "burglary"], fallbackIndicator: "all_crime",
  schemes: ["quantiles", "fisher_jenks"], classes: [3, 4, 5, 6],
};

test("a refused link keeps a known indicator, its type and area, and drops the period", () => {
  const view = { ...DEFAULT_VIEW, indicator: "burglary", type: "lsoa", period: "1999-01", scheme: "fisher_jenks", classes: 4, area: "E01" };
  assert.deepEqual(recoverView(view, offered), { ...view, period: null });
});

test("a refused link to an unknown indicator falls back to the default one", () => {
  const view = { ...DEFAULT_VIEW, indicator: "no_such", type: "msoa" };
  assert.equal(recoverView(view, offered).indicator, "all_crime");
  assert.equal(recoverView(view, offered).type, "msoa");
});

test("a refused link's scheme and classes are kept only if the controls offer them", () => {
  const view = { ...DEFAULT_VIEW, indicator: "burglary", scheme: "made_up", classes: 42 };
  const recovered = recoverView(view, offered);
  assert.equal(recovered.scheme, DEFAULT_VIEW.scheme);
  assert.equal(recovered.classes, DEFAULT_VIEW.classes);
});
