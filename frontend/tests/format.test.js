import assert from "node:assert/strict";
import { test } from "node:test";

import { formatValue } from "../lib/format.js";

test("a value is shown with its unit, rounded to two places and grouped", () => {
  assert.equal(formatValue(1234.5678, "crimes"), "1,234.57 crimes");
  assert.equal(formatValue(3, null), "3");
  assert.equal(formatValue(0, "%"), "0 %");
  assert.equal(formatValue("2.5", undefined), "2.5");
});

test("no value says so", () => {
  assert.equal(formatValue(null, "crimes"), "no value");
  assert.equal(formatValue(undefined), "no value");
});
