import assert from "node:assert/strict";
import { test } from "node:test";

import { errorRows, formFields, initialChoice, isWorkbook, missing } from "../lib/upload.js";

const RANK = "Index of Multiple Deprivation (IMD) Rank";
const preview = {
  filename: "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz", format: "csv", sheets: [], sheet: null,
  header_row: 1, columns: ["LSOA code (2011)", "LSOA name (2011)", RANK], rows: [], row_numbers: [], row_count: 32844,
  suggestions: { area_column: "LSOA code (2011)", period_column: null, period: "2019", mapping: { [RANK]: "imd_rank" } },
  indicators: [],
};

test("the suggestions are preselected and every other column is left unmapped", () => {
  const choice = initialChoice(/** @type {any} */ (preview));
  assert.equal(choice.areaColumn, "LSOA code (2011)");
  assert.equal(choice.period, "2019");
  assert.deepEqual(choice.mapping, { "LSOA name (2011)": "", [RANK]: "imd_rank" });
  assert.deepEqual(missing(choice), []);
});

test("the upload's fields carry the mapping, the area column and one period", () => {
  const choice = { ...initialChoice(/** @type {any} */ (preview)), skipOutside: true };
  assert.deepEqual(formFields(choice), {
    header_row: "1", mapping: JSON.stringify({ [RANK]: "imd_rank" }), area_column: "LSOA code (2011)",
    period: "2019", skip_outside: "true",
  });
  assert.deepEqual(formFields({ ...choice, sheet: "Ranks", headerRow: 3 }, true), { sheet: "Ranks", header_row: "3" });
  assert.equal(formFields({ ...choice, periodColumn: "Year" }).period_column, "Year");
});

test("what is missing is said before anything is sent", () => {
  const choice = initialChoice(/** @type {any} */ (preview));
  assert.deepEqual(missing({ ...choice, areaColumn: "", period: " ", mapping: {} }), [
    "Choose the column that holds the area codes.",
    "Choose the column of periods, or give one period for the whole file (e.g. 2019).",
    "Map at least one column to an indicator.",
  ]);
  assert.deepEqual(missing({ ...choice, mapping: { a: "imd_rank", b: "imd_rank" } }), [
    "Two columns are mapped to imd_rank: keep one.",
  ]);
});

test("row errors are shown as the API gives them", () => {
  assert.deepEqual(errorRows([{ row: 3, column: "Month", value: "2022-13", reason: "not a month" },
    { row: null, column: null, value: null, reason: "2 more errors" }]), [
    ["3", "Month", "2022-13", "not a month"], ["", "", "", "2 more errors"],
  ]);
  assert.ok(isWorkbook("ranks.XLSX") && !isWorkbook("ranks.csv"));
});
