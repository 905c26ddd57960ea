import assert from "node:assert/strict";
import { test } from "node:test";

import { cityComparison, similarComparison } from "../lib/comparison.js";

const similar = {
  label: "similar",
  description: "the 68 other LSOAs in the city's most deprived fifth (IMD 2019)",
  area_value: 30,
  similar_value: 29.5,
  per: 100,
  95: { interval: [25.7, 34.6] },
  similar_interval: { 95: [28.9, 30.1], "99.8": [28.5, 30.5] },
};

test("the comparison with similar areas says which areas, with both intervals", () => {
  const c = similarComparison(similar);
  assert.equal(c.what, "Similar areas");
  assert.equal(c.label, "similar");
  assert.equal(c.tone, "similar");
  assert.equal(
    c.title,
    "Similar to the 68 other LSOAs in the city's most deprived fifth (IMD 2019): here 30 (95% CI 25.7–34.6), they 29.5 (95% CI 28.9–30.1)",
  );
});

test("the comparison with the city gives the area's interval and the city's value", () => {
  const c = cityComparison({ label: "worse", area_value: 12.5, city_value: 8, per: 1000, 95: { interval: [10, 15] } });
  assert.equal(c.tone, "worse");
  assert.equal(c.title, "Worse than the city: here 12.5 (95% CI 10–15), the city 8 per 1,000 residents");
});

test("no comparison says why, in grey", () => {
  assert.deepEqual(cityComparison({ label: "not compared", why: "the value is suppressed" }), {
    what: "City", label: "not compared", tone: "other", title: "the value is suppressed",
  });
  const none = similarComparison(null, "ward areas have no IMD rank or score for most of the city");
  assert.equal(none.label, "none");
  assert.equal(none.tone, "other");
  assert.equal(none.title, "ward areas have no IMD rank or score for most of the city");
  assert.equal(similarComparison({ label: "not compared", why: "withheld" }).title, "withheld");
});

test("indicators without a judgement are higher or lower, in grey", () => {
  const c = similarComparison({ ...similar, label: "higher" });
  assert.equal(c.tone, "other");
  assert.match(c.title, /^Higher than the 68 other LSOAs/);
});
