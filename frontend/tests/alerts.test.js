import assert from "node:assert/strict";
import { test } from "node:test";

import { groupAlerts } from "../lib/alerts.js";

const alert = (id, kind, type, name = type && type.toUpperCase()) => ({ id, kind, area_type: type, area_type_name: name });

test("alerts are grouped by area type in the order given, finest first", () => {
  const groups = groupAlerts(
    [alert(1, "deterioration", "msoa"), alert(2, "deterioration", "lsoa"), alert(3, "hotspot", "msoa")],
    ["lsoa", "msoa"],
  );
  assert.deepEqual(groups.map((g) => [g.type, g.name, g.alerts.map((a) => a.id)]), [
    ["lsoa", "LSOA", [2]],
    ["msoa", "MSOA", [1, 3]],
  ]);
});

test("within a type correlated alerts come first, the server's order kept otherwise", () => {
  const [group] = groupAlerts([
    alert(1, "gap", "lsoa"), alert(2, "deterioration", "lsoa"), alert(3, "correlated", "lsoa"),
    alert(4, "hotspot", "lsoa"), alert(5, "deterioration", "lsoa"),
  ]);
  assert.deepEqual(group.alerts.map((a) => a.id), [3, 2, 5, 4, 1]);
});

test("types the order does not name come last, and alerts of no type form their own group", () => {
  const groups = groupAlerts([alert(1, "gap", null, null), alert(2, "deterioration", "ward", "Electoral ward"), alert(3, "deterioration", "lsoa")], ["lsoa"]);
  assert.deepEqual(groups.map((g) => [g.type, g.name]), [["lsoa", "LSOA"], ["", ""], ["ward", "Electoral ward"]]);
});

test("no alerts, no groups", () => {
  assert.deepEqual(groupAlerts([], ["lsoa"]), []);
});
