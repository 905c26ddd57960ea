import assert from "node:assert/strict";
import { test } from "node:test";

import { decimalsOf, formatTick, niceTicks, periodTickLabel, periodTime, periodTitle, textWidth, tickSteps, valueText } from "../lib/axes.js";

test("ticks are round numbers covering the data", () => {
  assert.deepEqual(niceTicks(0, 56, 5), { min: 0, max: 60, step: 10, values: [0, 10, 20, 30, 40, 50, 60] });
  assert.deepEqual(niceTicks(0.12, 0.93, 5).values, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0, 0.9, 4).values, [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(niceTicks(0, 0.3, 4).values, [0, 0.1, 0.2, 0.3]);
  assert.deepEqual(niceTicks(1200, 5100, 5).values, [1000, 2000, 3000, 4000, 5000, 6000]);
});

test("negative ranges get ticks either side of zero, and no minus zero", () => {
  const ticks = niceTicks(-7.5, 3, 5);
  assert.deepEqual(ticks.values, [-7.5, -5, -2.5, 0, 2.5, 5]);
  assert.ok(ticks.values.every((v) => !Object.is(v, -0)));
  assert.deepEqual(niceTicks(-30, -10, 3).values, [-30, -20, -10]);
});

test("a single value, reversed or non-finite ends still give ticks", () => {
  const flat = niceTicks(5, 5, 5);
  assert.ok(flat.min < 5 && flat.max > 5);
  assert.deepEqual(niceTicks(0, 0, 3).values, [-1, 0, 1]);
  assert.deepEqual(niceTicks(10, 0, 3).values, [0, 5, 10]);
  assert.deepEqual(niceTicks(NaN, Infinity, 3).values, [0, 0.5, 1]);
});

test("tick numbers carry the step's decimals, grouped, and a percentage its sign", () => {
  assert.equal(decimalsOf(0.25), 2);
  assert.equal(decimalsOf(5), 0);
  assert.equal(decimalsOf(2500), 0);
  assert.equal(decimalsOf(1e-7), 7);
  assert.equal(formatTick(0.5, 0.25), "0.50");
  assert.equal(formatTick(12500, 2500, "per 1,000 residents"), "12,500");
  assert.equal(formatTick(25, 5, "%"), "25%");
  assert.equal(formatTick(-0.0000001, 1), "0");
  assert.equal(valueText(12.345, "per 1,000 residents"), "12.35 per 1,000 residents");
  assert.equal(valueText(40, "%"), "40%");
  assert.equal(valueText(null, "%"), "no value");
});

test("every notation of app/indicators/periods.py is placed in time", () => {
  assert.deepEqual(periodTime("2023-03"), { type: "month", start: 2023 * 12 + 2, end: 2023 * 12 + 3, index: 2023 * 12 + 2, text: "2023-03" });
  assert.equal(periodTime("2023-3")?.index, 2023 * 12 + 2);
  assert.deepEqual(periodTime("2023-Q2"), { type: "quarter", start: 2023 * 12 + 3, end: 2023 * 12 + 6, index: 2023 * 4 + 1, text: "2023-Q2" });
  assert.equal(periodTime("Q2 2023")?.index, 2023 * 4 + 1);
  assert.deepEqual(periodTime("2023"), { type: "calendar_year", start: 2023 * 12, end: 2024 * 12, index: 2023, text: "2023" });
  // Financial years start in April, academic years in September.
  assert.deepEqual(periodTime("2023/24"), { type: "financial_year", start: 2023 * 12 + 3, end: 2024 * 12 + 3, index: 2023, text: "2023/24" });
  assert.equal(periodTime("2023/24", "academic_year")?.start, 2023 * 12 + 8);
  assert.equal(periodTime("AY 2023/24")?.type, "academic_year");
  assert.equal(periodTime("2023/2024")?.index, 2023);
  assert.equal(periodTime("1999/00")?.index, 1999);
  // The other spellings periods.py accepts.
  for (const text of ["2023/03", "Mar 2023", "march-2023", "2023-03-01", "2023-03-01 00:00:00", " 2023 - 3 "]) {
    assert.equal(periodTime(text)?.index, 2023 * 12 + 2, text);
  }
  for (const text of ["2023 Q2", "2023q2", "Q2 2023"]) assert.equal(periodTime(text)?.index, 2023 * 4 + 1, text);
  for (const text of ["2023-24", "2023 to 2024", "202324", "FY 2023/24", "2023 \u2013 24"]) {
    assert.equal(periodTime(text, "financial_year")?.index, 2023, text);
  }
});

test("the type decides an ambiguous text, and what is no period is null", () => {
  assert.equal(periodTime("2009-10")?.type, "month");
  assert.equal(periodTime("2009-10", "financial_year")?.index, 2009);
  assert.equal(periodTime("2023-13"), null);
  assert.equal(periodTime("2023/25"), null);
  assert.equal(periodTime("2023-Q5"), null);
  assert.equal(periodTime("2023", "month"), null);
  assert.equal(periodTime("FY 2023/24", "academic_year"), null);
  assert.equal(periodTime("Wave 1"), null);
  assert.equal(periodTime("1800"), null);
  assert.equal(periodTime("2023-03-31"), null);
  assert.equal(periodTime("Smarch 2023"), null);
});

test("ticks read as dates, shorter once a step is a year", () => {
  assert.equal(periodTickLabel("month", 2023 * 12, 6), "Jan 2023");
  assert.equal(periodTickLabel("month", 2023 * 12 + 6, 3), "Jul 2023");
  assert.equal(periodTickLabel("month", 2023 * 12, 12), "2023");
  assert.equal(periodTickLabel("quarter", 2023 * 4 + 2, 1), "2023 Q3");
  assert.equal(periodTickLabel("quarter", 2023 * 4, 4), "2023");
  assert.equal(periodTickLabel("calendar_year", 2023, 1), "2023");
  assert.equal(periodTickLabel("financial_year", 1999, 1), "1999/00");
  assert.equal(periodTickLabel("academic_year", 2023, 2), "2023/24");
  assert.equal(periodTitle("financial_year"), "Financial year");
  assert.equal(periodTitle("category"), "Period");
  assert.deepEqual(tickSteps("category"), []);
  assert.equal(textWidth("2023", 10), 24.8);
});
