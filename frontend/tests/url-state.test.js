import assert from "node:assert/strict";
import { test } from "node:test";

import { readView, writeView } from "../lib/url-state.js";
import { DEFAULT_VIEW } from "../lib/view.js";

test("a hash names the view, over the defaults", () => {
  assert.deepEqual(readView("#indicator=burglary&type=lsoa&classes=4"), {
    ...DEFAULT_VIEW, indicator: "burglary", type: "lsoa", classes: 4,
  });
  assert.deepEqual(readView(""), DEFAULT_VIEW);
  assert.deepEqual(readView("indicator=x"), { ...DEFAULT_VIEW, indicator: "x" }, "no '#'");
});

test("unknown keys, empty values and classes that are not whole numbers are ignored", () => {
  assert.deepEqual(readView("#colour=red&period=&classes=five"), DEFAULT_VIEW);
  assert.equal(readView("#classes=4.5").classes, DEFAULT_VIEW.classes);
});

test("a hash's text is decoded, not interpreted", () => {
  const view = readView(`#indicator=${encodeURIComponent("<img src=x>")}&area=E01%26x`);
  assert.equal(view.indicator, "<img src=x>");
  assert.equal(view.area, "E01&x");
});

test("the hash of a view lists its set keys in order and reads back the same", () => {
  const view = { ...DEFAULT_VIEW, indicator: "vehicle_crime", type: "msoa", period: "2022-03", scheme: "fisher_jenks", classes: 6 };
  const hash = writeView(view);
  assert.equal(hash, "indicator=vehicle_crime&type=msoa&period=2022-03&scheme=fisher_jenks&classes=6");
  assert.deepEqual(readView(hash), view);
  assert.deepEqual(readView(writeView({ ...view, area: "E01 & co" })), { ...view, area: "E01 & co" });
});
