import assert from "node:assert/strict";
import { test } from "node:test";

import { groupEntries, intervalOf, rowText } from "../lib/profile-view.js";

const entry = (code, agency, topic, extra = {}) => ({
  indicator: { code, title: code, agency, topic, unit: "crimes" }, period: "2023-12", value: 12, suppressed: false,
  benchmark: { label: "worse", city_value: 8.5, 95: { interval: [9.1, 15.2] } }, ...extra,
});

test("rows are grouped by partner and topic, deprivation and population last", () => {
  const groups = groupEntries([
    entry("imd_rank", "council", "deprivation"), entry("burglary", "police", "crime and safety"),
    entry("absence", "schools", "education"), entry("fires", "fire", "fire and rescue"),
    entry("asb", "police", "crime and safety"), entry("population", "council", "population"),
  ]);
  assert.deepEqual(groups.map((g) => [g.heading, g.entries.map((e) => e.indicator.code)]), [
    ["Police: crime and safety", ["burglary", "asb"]],
    ["Fire: fire and rescue", ["fires"]],
    ["Schools: education", ["absence"]],
    ["Council: deprivation", ["imd_rank"]],
    ["Council: population", ["population"]],
  ]);
});

test("the server's groups win, in its order, with its agency names", () => {
  const groups = groupEntries(
    [entry("a", "police", "crime"), entry("b", "health", "health")],
    [{ agency: "health", agency_name: "NHS Sheffield", topic: "health", indicators: ["b", "missing"] },
      { agency: "police", agency_name: "South Yorkshire Police", topic: "crime", indicators: ["a"] },
      { agency: "fire", topic: "fire", indicators: ["gone"] }],
  );
  assert.deepEqual(groups.map((g) => [g.heading, g.entries.length]), [["NHS Sheffield: health", 1], ["South Yorkshire Police: crime", 1]]);
});

test("a row says its value, window, interval, the city and the trend", () => {
  const text = rowText(entry("burglary", "police", "crime", {
    value: 30, window: { from: "2023-01", to: "2023-12", label: "12 months to 2023-12" }, city: { value: 22.5, what: "at the city's rate" },
    interval: { low: 20.2, high: 42.8 }, trend_word: "getting worse", latest_month: { period: "2023-12", value: 3 },
  }));
  assert.deepEqual(text, {
    value: "30 crimes", when: "12 months to 2023-12", interval: "95% CI 20.2–42.8", city: "22.5 crimes",
    trend: "getting worse", latest: "Latest month 2023-12: 3 crimes",
  });
});

test("older answers: the city comes from the city comparison, on its scale; its interval is not the value's", () => {
  const text = rowText(entry("burglary", "police", "crime"));
  assert.equal(text.city, "8.5 crimes");
  assert.equal(text.interval, "");
  assert.equal(text.when, "2023-12");
  const per = rowText(entry("burglary", "police", "crime", { benchmark: { label: "worse", city_value: 8.5, per: 1000 } }));
  assert.equal(per.city, "8.5 per 1,000 residents");
});

test("a suppressed value shows no interval", () => {
  const text = rowText(entry("burglary", "police", "crime", { suppressed: true, value: null }));
  assert.equal(text.value, "suppressed");
  assert.equal(text.interval, "");
  assert.equal(intervalOf(entry("x", "p", "t", { interval: { low: null, high: 3 }, benchmark: { label: "x" } })), null);
});

test("a 12-month window in words, and a city value withheld", () => {
  const text = rowText(entry("burglary", "police", "crime", {
    window: { from: "2023-01", to: "2023-12", months: 12 }, city: { value: null, why: "too few" },
  }));
  assert.equal(text.when, "12 months, 2023-01 to 2023-12");
  assert.equal(text.city, "");
});

test("a partner whose topic is its name is headed by its name alone", () => {
  const groups = groupEntries([entry("fires", "fire", "fire")], [{ agency: "fire", agency_name: "fire", topic: "fire", indicators: ["fires"] }]);
  assert.equal(groups[0].heading, "Fire");
});
