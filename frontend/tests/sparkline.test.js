import assert from "node:assert/strict";
import { test } from "node:test";

import { sparkline } from "../lib/sparkline.js";

test("a series is drawn from its first to its last point, scaled to fit", () => {
  const svg = sparkline([{ period: "2023-01", value: 0 }, { period: "2023-02", value: null }, { period: "2023-03", value: 10 }], 104, 24);
  assert.match(svg, /^<svg width="104" height="24" role="img" aria-label="2023-01 to 2023-03">/);
  assert.match(svg, /points="2\.0,22\.0 102\.0,2\.0"/);
});

test("fewer than two values: no line", () => {
  assert.equal(sparkline([{ period: "2023-01", value: 1 }, { period: "2023-02", value: null }]), "");
});

test("a flat series is drawn level", () => {
  assert.match(sparkline([{ period: "a", value: 5 }, { period: "b", value: 5 }], 104, 24), /points="2\.0,22\.0 102\.0,22\.0"/);
});

test("its label is escaped", () => {
  assert.match(sparkline([{ period: '"><script>', value: 1 }, { period: "b", value: 2 }]), /aria-label="&quot;&gt;&lt;script&gt; to b"/);
});
