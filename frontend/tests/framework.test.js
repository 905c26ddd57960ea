import assert from "node:assert/strict";
import { test } from "node:test";
import { cycleOf, givesUpdates, mayIssue, riskRows, ticks, trajectoryChart } from "../lib/framework.js";

const risks = {
  speed: { level: "high", reason: "Needs to fall 9.6% a year." },
  future: { level: "amber", reason: "Projected 0.54." },
  effectiveness: [{ action: "a", title: "Patrols", status: "on_track", verdict: "not_working", reason: "Not beyond comparators." }],
  effective: false,
  innovation: { raised: false, reason: "No: only one report." },
  series: { periods: ["2021-Q1", "2021-Q2", "2021-Q3"], value: [10, 12, null], lower: [9, 11, null], upper: [11, 13, null] },
  trajectory: { periods: ["2021-Q1", "2021-Q2", "2021-Q3", "2022-Q4"], values: [10, 9, 8, 5] },
  target: { due_period: "2022-Q4", value: 5 },
  unit: " per 1,000",
};

test("the risk panel says each risk in words with its reason", () => {
  const rows = riskRows(risks, null);
  assert.deepEqual(rows.map((r) => [r.name, r.level, r.tone]), [
    ["Speed", "High risk", "bad"], ["Effectiveness", "Not shown", "bad"],
    ["Future outcome", "Uncertain", "warn"], ["Innovation", "No flag", "none"],
  ]);
  assert.equal(rows[1].reason, "Patrols (on track): Not beyond comparators.");
  const flagged = riskRows(risks, { reason: "Something new is needed: ..." });
  assert.equal(flagged[3].level, "Something new is needed");
  assert.equal(flagged[3].reason, "Something new is needed: ...");
});

test("a measure without assessment or actions says so", () => {
  const rows = riskRows({ ...risks, speed: { level: null, reason: "no target" }, effectiveness: [], effective: null }, null);
  assert.equal(rows[0].level, "Not assessed");
  assert.equal(rows[1].level, "Nothing to judge");
  assert.equal(rows[1].reason, "No action is linked to this measure.");
});

test("the chart places the target at its due period and skips missing values", () => {
  const chart = trajectoryChart(risks, 400, 200);
  assert.ok(chart);
  assert.equal(chart.observed.split(" ").length, 2);
  assert.equal(chart.band.split(" ").length, 4);
  assert.equal(chart.plan.split(" ").length, 4);
  assert.ok(chart.target);
  assert.equal(chart.target.x, 400 - 28); // the last period, at the right margin
  assert.equal(chart.target.label, "Target 5 by 2022-Q4");
  assert.ok(chart.yTicks.length >= 3);
  assert.equal(chart.xTicks[0].label, "2021-Q1");
});

test("no chart without two values", () => {
  assert.equal(trajectoryChart({ ...risks, series: { ...risks.series, value: [1, null, null] } }), null);
  assert.equal(trajectoryChart({ ...risks, series: null }), null);
});

test("ticks are round numbers within the range", () => {
  assert.deepEqual(ticks(0, 10), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(ticks(0.43, 0.7), [0.5, 0.6, 0.7]);
});

test("only the owner, signed in, gives an action's updates", () => {
  const action = { owner: "sam" };
  assert.equal(givesUpdates(action, { signed_in: true, username: "sam" }), true);
  assert.equal(givesUpdates(action, { signed_in: true, username: "jo" }), false);
  assert.equal(givesUpdates(action, { signed_in: false, username: null }), false);
});

test("members and administrators issue a board's report", () => {
  const board = { members: [{ username: "sam" }] };
  assert.equal(mayIssue(board, { signed_in: true, username: "sam", role: "officer" }), true);
  assert.equal(mayIssue(board, { signed_in: true, username: "jo", role: "officer" }), false);
  assert.equal(mayIssue(board, { signed_in: false, username: null, role: "admin" }), true);
});

test("a reporting cycle is the month", () => {
  assert.equal(cycleOf(new Date(Date.UTC(2026, 0, 31))), "2026-01");
  assert.equal(cycleOf(new Date(Date.UTC(2026, 11, 1))), "2026-12");
});
