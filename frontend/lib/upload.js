// @ts-check
// The upload page's logic, apart from the page: the mapping an analyst starts from (the
// server's suggestions preselected), the form fields an upload sends, what is still
// missing before it can be sent, and the row errors as the API reports them.

/**
 * @typedef {object} Suggestions
 * @property {string | null} area_column
 * @property {string | null} period_column
 * @property {string | null} period
 * @property {Record<string, string>} mapping   column heading -> indicator code
 */

/**
 * @typedef {object} Preview   POST api/observations/preview's answer
 * @property {string | null} filename
 * @property {"csv" | "xlsx"} format
 * @property {string[]} sheets
 * @property {string | null} sheet
 * @property {number} header_row
 * @property {string[]} columns
 * @property {string[][]} rows
 * @property {number[]} row_numbers
 * @property {number} row_count
 * @property {Suggestions} suggestions
 * @property {Array<{code: string, title: string, agency: string, period_type: string}>} indicators
 */

/**
 * @typedef {object} Choice   what the analyst chose
 * @property {string | null} sheet
 * @property {number | null} headerRow
 * @property {string} areaColumn
 * @property {string} periodColumn   "" for one period for the whole file
 * @property {string} period
 * @property {Record<string, string>} mapping   column heading -> indicator code ("" for none)
 * @property {boolean} skipOutside
 */

/**
 * Whether a file's name says it is an Excel workbook.
 * @param {string} name
 */
export function isWorkbook(name) {
  return /\.xlsx$|\.xlsm$/i.test(name);
}

/**
 * The choice the page starts from: the server's suggestions, every column named.
 * @param {Preview} preview
 * @returns {Choice}
 */
export function initialChoice(preview) {
  const s = preview.suggestions;
  /** @type {Record<string, string>} */
  const mapping = {};
  for (const column of preview.columns) {
    if (column && column !== s.area_column && column !== s.period_column) mapping[column] = s.mapping[column] ?? "";
  }
  return {
    sheet: preview.sheet,
    headerRow: preview.header_row,
    areaColumn: s.area_column ?? "",
    periodColumn: s.period_column ?? "",
    period: s.period ?? "",
    mapping,
    skipOutside: false,
  };
}

/**
 * What is still missing before the upload can be sent (empty when nothing is).
 * @param {Choice} choice
 * @returns {string[]}
 */
export function missing(choice) {
  const problems = [];
  if (!choice.areaColumn) problems.push("Choose the column that holds the area codes.");
  if (!choice.periodColumn && !choice.period.trim()) {
    problems.push("Choose the column of periods, or give one period for the whole file (e.g. 2019).");
  }
  const mapped = Object.entries(choice.mapping).filter(([column, code]) => code && column !== choice.areaColumn && column !== choice.periodColumn);
  if (mapped.length === 0) problems.push("Map at least one column to an indicator.");
  const codes = mapped.map(([, code]) => code);
  const twice = codes.filter((code, i) => codes.indexOf(code) !== i);
  for (const code of new Set(twice)) problems.push(`Two columns are mapped to ${code}: keep one.`);
  return problems;
}

/**
 * The form fields of the upload (beside the file), as POST api/observations reads them.
 * @param {Choice} choice
 * @param {boolean} [forPreview]  only the sheet and header row
 * @returns {Record<string, string>}
 */
export function formFields(choice, forPreview = false) {
  /** @type {Record<string, string>} */
  const fields = {};
  if (choice.sheet) fields.sheet = choice.sheet;
  if (choice.headerRow) fields.header_row = String(choice.headerRow);
  if (forPreview) return fields;
  /** @type {Record<string, string>} */
  const mapping = {};
  for (const [column, code] of Object.entries(choice.mapping)) {
    if (code && column !== choice.areaColumn && column !== choice.periodColumn) mapping[column] = code;
  }
  fields.mapping = JSON.stringify(mapping);
  fields.area_column = choice.areaColumn;
  if (choice.periodColumn) fields.period_column = choice.periodColumn;
  else fields.period = choice.period.trim();
  if (choice.skipOutside) fields.skip_outside = "true";
  return fields;
}

/**
 * A refused upload's row errors as table rows: row, column, value and reason, as the API
 * gives them ("" where it gives none).
 * @param {Array<Record<string, unknown>>} errors
 * @returns {string[][]}
 */
export function errorRows(errors) {
  const shown = (/** @type {unknown} */ v) => (v === null || v === undefined ? "" : String(v));
  return errors.map((e) => [shown(e.row), shown(e.column), shown(e.value), shown(e.reason)]);
}

/**
 * What a stored upload says, in one line.
 * @param {{message: string, notes: string[]}} result
 */
export function resultText(result) {
  return result.message;
}
