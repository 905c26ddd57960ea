import assert from "node:assert/strict";
import { test } from "node:test";

import { detailLines, handlingLines, isNewSince, mapTarget, raisedText, windowText } from "../lib/alert-view.js";

const base = {
  kind: "deterioration", area_code: "E01007980", area_type: "lsoa", indicators: ["criminal_damage_arson", "persistent_absence"],
  period_to: "2023-12", q: 0.0123, created_at: "2026-12-03T10:00:00+00:00",
};

test("opening an alert maps its first indicator, type and window's last period, outlining its area", () => {
  const single = { ...base, indicators: ["criminal_damage_arson"] };
  assert.deepEqual(mapTarget(single), { indicator: "criminal_damage_arson", type: "lsoa", period: "2023-12", areas: ["E01007980"] });
});

test("a correlated alert's window may end in another indicator's kind of period: the map keeps its own", () => {
  assert.equal(mapTarget({ ...base, period_to: "2023/24" }).period, null);
});

test("the server's map target wins: a hotspot outlines its whole cluster", () => {
  const hotspot = { ...base, kind: "hotspot", map: { indicator: "burglary", type: "lsoa", period: "2023-11", areas: ["A", "B", "C"] } };
  assert.deepEqual(mapTarget(hotspot), { indicator: "burglary", type: "lsoa", period: "2023-11", areas: ["A", "B", "C"] });
});

test("an alert of no area outlines nothing", () => {
  assert.deepEqual(mapTarget({ ...base, area_code: null }).areas, []);
});

test("raised is the first raising when the server gives it, else the run's time", () => {
  assert.equal(raisedText(base), "Raised 3 Dec 2026");
  assert.equal(raisedText({ ...base, raised_at: "2026-11-01T09:00:00Z" }), "Raised 1 Nov 2026");
  assert.equal(raisedText({ ...base, created_at: "not a time" }), "");
});

test("new since the last visit: raised after it; nothing is new on a first visit", () => {
  assert.equal(isNewSince(base, "2026-12-02T00:00:00Z"), true);
  assert.equal(isNewSince(base, "2026-12-04T00:00:00Z"), false);
  assert.equal(isNewSince(base, null), false);
  assert.equal(isNewSince(base, "garbage"), false);
  assert.equal(isNewSince({ ...base, raised_at: "2026-11-01T00:00:00Z" }, "2026-12-02T00:00:00Z"), false);
});

test("details are the server's lines, or at least the false discovery rate and the window", () => {
  assert.deepEqual(detailLines({ ...base, details: ["Getis-Ord Gi* z = 6.5"] }), ["Getis-Ord Gi* z = 6.5"]);
  assert.deepEqual(detailLines(base), ["False discovery rate q = 0.012", "Window ends 2023-12"]);
  assert.deepEqual(detailLines({ ...base, q: null, period_to: null }), []);
});

test("the window is the server's words, else from and to", () => {
  assert.equal(windowText({ ...base, window: { label: "the 12 months 2023-01 to 2023-12" } }), "the 12 months 2023-01 to 2023-12");
  assert.equal(windowText({ ...base, window: { from: "2023-01", to: "2023-12" } }), "2023-01 to 2023-12");
  assert.equal(windowText(base), "2023-12");
  assert.equal(windowText({ ...base, period_to: null }), null);
});

test("who has the alert in hand, in words", () => {
  assert.deepEqual(handlingLines(base), []);
  const handled = {
    ...base,
    acknowledged: { by: "A. Officer", at: "2026-12-03T11:00:00Z", note: "looking into it" },
    assigned_to: { name: "B. Analyst", by: "A. Officer", at: "2026-12-04T08:00:00Z" },
  };
  assert.deepEqual(handlingLines(handled), [
    "Acknowledged by A. Officer on 3 Dec 2026: looking into it",
    "Assigned to B. Analyst by A. Officer on 4 Dec 2026",
  ]);
  assert.deepEqual(handlingLines({ ...base, acknowledged: { by: null, at: "2026-12-03T11:00:00Z" } }), ["Acknowledged on 3 Dec 2026"]);
  const named = {
    ...base,
    acknowledged: { by: "a.officer", by_name: "Anne Officer", at: "2026-12-03T11:00:00Z", note: null },
    assigned_to: { name: "b.analyst", display_name: "Ben Analyst", by: "a.officer", by_name: "Anne Officer", at: "2026-12-04T08:00:00Z" },
  };
  assert.deepEqual(handlingLines(named), [
    "Acknowledged by Anne Officer on 3 Dec 2026", "Assigned to Ben Analyst by Anne Officer on 4 Dec 2026",
  ]);
});
