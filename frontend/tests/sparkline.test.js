import assert from "node:assert/strict";
import { test } from "node:test";

import { sparkline } from "../lib/sparkline.js";

test("a series is drawn from its first to its last point, scaled to fit", () => {
  const line = sparkline([{ period: "2023-01", value: 0 }, { period: "2023-02", value: null }, { period: "2023-03", value: 10 }], 104, 24);
  assert.deepEqual(line, { width: 104, height: 24, points: "2.0,22.0 102.0,2.0", label: "2023-01 to 2023-03" });
});

test("fewer than two values: no line", () => {
  assert.equal(sparkline([{ period: "2023-01", value: 1 }, { period: "2023-02", value: null }]), null);
});

test("a flat series is drawn level", () => {
  assert.equal(sparkline([{ period: "a", value: 5 }, { period: "b", value: 5 }], 104, 24)?.points, "2.0,22.0 102.0,22.0");
});

test("its label is the periods' text, for the page to set as text", () => {
  assert.equal(sparkline([{ period: '"><script>', value: 1 }, { period: "b", value: 2 }])?.label, '"><script> to b');
});
