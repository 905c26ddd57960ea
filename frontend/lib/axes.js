// @ts-check
// What the page's charts share: round tick values, periods placed on a time line (every
// notation app/indicators/periods.py writes), tick and axis texts, and how wide a text is
// drawn, so that tick labels can be spaced never to overlap. Numbers and text only: the page
// builds the SVG elements and sets every label as text.

import { formatValue } from "./format.js";

/** The font size (px) the charts' labels are drawn at, unless a chart is told another. */
export const FONT_SIZE = 11;

/**
 * How wide a label is drawn, generously: 0.62 em a character, about the widest digits and
 * capitals of the page's sans-serif font, so labels spaced by it never touch.
 * @param {string} text
 * @param {number} [fontSize]
 * @returns {number}
 */
export function textWidth(text, fontSize = FONT_SIZE) {
  return text.length * fontSize * 0.62;
}

/**
 * The decimals a step is written with (0.25: 2; 5: 0; 1e-7: 7).
 * @param {number} step
 * @returns {number}
 */
export function decimalsOf(step) {
  if (!Number.isFinite(step) || step === 0) return 0;
  const text = Math.abs(step).toPrecision(10).replace(/0+(e|$)/, "$1").replace(/\.(e|$)/, "$1");
  const [mantissa, exponent] = text.split("e");
  const fraction = mantissa.includes(".") ? mantissa.split(".")[1].length : 0;
  return Math.min(20, Math.max(0, fraction - Number(exponent || 0)));
}

/**
 * @typedef {object} Ticks
 * @property {number} min    the first tick (at or below the data's minimum)
 * @property {number} max    the last tick (at or above the data's maximum)
 * @property {number} step   1, 2, 2.5 or 5 times a power of ten
 * @property {number[]} values   min, min + step, … max, rounded to the step's decimals
 */

/**
 * Round ticks covering min..max, about `count` of them (rarely up to twice as many).
 * min == max gets a range around it; min > max is read the other way round; non-finite
 * ends give 0..1.
 * @param {number} min
 * @param {number} max
 * @param {number} [count]
 * @returns {Ticks}
 */
export function niceTicks(min, max, count = 5) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) [min, max] = [0, 1];
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const pad = Math.abs(min) / 10 || 1;
    [min, max] = [min - pad, max + pad];
  }
  const intervals = Math.max(1, Math.round(count) - 1);
  const rough = (max - min) / intervals;
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction < 1.5 ? 1 : fraction < 2.25 ? 2 : fraction < 3.5 ? 2.5 : fraction < 7.5 ? 5 : 10;
  const step = nice * power;
  const decimals = decimalsOf(step);
  /** @param {number} v */
  const round = (v) => Number(v.toFixed(decimals)) || 0; // || 0: no "-0"
  // A little tolerance, so that 0.3 / 0.1 = 2.9999999999999996 does not add a tick.
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const values = [];
  for (let i = first; i <= last; i++) values.push(round(i * step));
  return { min: values[0], max: values[values.length - 1], step, values };
}

/**
 * A tick's number: with the step's decimals and grouped ("1,250", "0.25"); a percentage
 * carries its sign ("25%"). Other units are the axis's title, not repeated on every tick.
 * @param {number} value
 * @param {number} step
 * @param {string | null} [unit]
 * @returns {string}
 */
export function formatTick(value, step, unit) {
  const decimals = decimalsOf(step);
  const number = (Number(value.toFixed(decimals)) || 0).toLocaleString("en-GB", {
    minimumFractionDigits: decimals, maximumFractionDigits: decimals,
  });
  return unit === "%" ? `${number}%` : number;
}

/**
 * A value with its unit for sentences and titles ("12.5 per 1,000 residents", "25%"), or
 * "no value" (lib/format.js's formatValue; a percentage without the space).
 * @param {number | null | undefined} value
 * @param {string | null} [unit]
 * @returns {string}
 */
export function valueText(value, unit) {
  if (unit === "%" && value !== null && value !== undefined) return `${formatValue(value)}%`;
  return formatValue(value, unit);
}

// --- periods -----------------------------------------------------------------------------

/** The period types of app/indicators/periods.py. */
export const PERIOD_TYPES = ["month", "quarter", "calendar_year", "financial_year", "academic_year"];

/** The axis title of each type of period. */
const TITLES = /** @type {Record<string, string>} */ ({
  month: "Month", quarter: "Quarter", calendar_year: "Year", financial_year: "Financial year",
  academic_year: "Academic year", category: "Period",
});

/** Each type: months a period lasts, and the month (0 = January) its year's periods start. */
const SHAPES = /** @type {Record<string, { months: number, offset: number }>} */ ({
  month: { months: 1, offset: 0 }, quarter: { months: 3, offset: 0 },
  calendar_year: { months: 12, offset: 0 }, financial_year: { months: 12, offset: 3 },
  academic_year: { months: 12, offset: 8 },
});

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH_NAMES = [
  ["JAN", "JANUARY"], ["FEB", "FEBRUARY"], ["MAR", "MARCH"], ["APR", "APRIL"], ["MAY"], ["JUN", "JUNE"], ["JUL", "JULY"],
  ["AUG", "AUGUST"], ["SEP", "SEPT", "SEPTEMBER"], ["OCT", "OCTOBER"], ["NOV", "NOVEMBER"], ["DEC", "DECEMBER"],
];

/**
 * A period on the time line: months since January of year 0, its start (included) and end
 * (excluded); `index` counts periods of its type (a month: year * 12 + month - 1; a quarter:
 * year * 4 + quarter - 1; a year-long period: its first year).
 * @typedef {{ type: string, start: number, end: number, index: number, text: string }} PeriodTime
 */

/**
 * Where a period lies in time, read from the project's notation: "2023-01" (a month; also
 * "2023-1", "2023/01", "Jan 2023", "January-2023", "2023-01-01"), "2023-Q1" (also "2023 Q1",
 * "2023Q1", "Q1 2023"), "2023" (a calendar year), "2023/24" (a financial year, or an academic
 * year when the type says so; also "2023/2024", "FY 2023/24", "AY 2023/24", and with the type
 * given "2023-24", "2023 to 2024", "202324"). Spaces, case and typographic dashes do not
 * matter. A `type` reads the text as that type only ("2009-10" is a month, or the financial
 * year 2009/10). Null when the text is no period (of that type).
 * @param {string} text
 * @param {string | null} [type]   one of PERIOD_TYPES
 * @returns {PeriodTime | null}
 */
export function periodTime(text, type) {
  const normal = String(text).trim().replace(/\s+/g, " ").replace(/[\u2010-\u2014\u2212]/g, "-").replace(/ ?([-/]) ?/g, "$1").toUpperCase();
  /** @param {string} kind @param {number} index */
  const make = (kind, index) => {
    const { months, offset } = SHAPES[kind];
    const start = months === 12 ? index * 12 + offset : index * months;
    return { type: kind, start, end: start + months, index, text: String(text) };
  };
  /** @param {number} year */
  const inRange = (year) => year >= 1900 && year <= 2100;
  if (!type || type === "month") {
    const m = /^(\d{4})[-/](\d{1,2})$/.exec(normal)
      // A date stands for its month on the first day only (a later one may close a longer period).
      || /^(\d{4})-(\d{1,2})-0?1(?:[ T]00:00(?::00(?:\.0+)?)?)?$/.exec(normal);
    if (m && inRange(+m[1]) && +m[2] >= 1 && +m[2] <= 12) return make("month", +m[1] * 12 + +m[2] - 1);
    const named = /^([A-Z]+)[ -](\d{4})$/.exec(normal);
    const month = named ? MONTH_NAMES.findIndex((names) => names.includes(named[1])) : -1;
    if (named && month >= 0 && inRange(+named[2])) return make("month", +named[2] * 12 + month);
    if (type) return null;
  }
  if (!type || type === "quarter") {
    const m = /^(\d{4})[-/ ]?Q([1-4])$/.exec(normal) || /^Q([1-4])[-/ ]?(\d{4})$/.exec(normal);
    if (m) {
      const [year, quarter] = m[0].startsWith("Q") ? [+m[2], +m[1]] : [+m[1], +m[2]];
      if (inRange(year)) return make("quarter", year * 4 + quarter - 1);
    }
    if (type) return null;
  }
  if (!type || type === "calendar_year") {
    const m = /^(\d{4})$/.exec(normal);
    if (m && inRange(+m[1])) return make("calendar_year", +m[1]);
    if (type) return null;
  }
  // A pair of years: "-" between them only when the type says so ("2009-10" is a month).
  const pair = type ? /^(?:(FY|AY) ?)?(\d{4})(?:[-/]| TO |)(\d{4}|\d{2})$/ : /^(?:(FY|AY) ?)?(\d{4})\/(\d{4}|\d{2})$/;
  const m = pair.exec(normal);
  if (!m || !inRange(+m[2])) return null;
  const year = +m[2];
  const following = m[3].length === 4 ? year + 1 : (year + 1) % 100;
  if (+m[3] !== following) return null;
  const kind = type || (m[1] === "AY" ? "academic_year" : "financial_year");
  if (kind !== "financial_year" && kind !== "academic_year") return null;
  if ((m[1] === "FY" && kind !== "financial_year") || (m[1] === "AY" && kind !== "academic_year")) return null;
  return make(kind, year);
}

/**
 * The axis title for a type of period ("Month", "Financial year"; "Period" for others).
 * @param {string} type
 * @returns {string}
 */
export function periodTitle(type) {
  return TITLES[type] || TITLES.category;
}

/**
 * The spacings, in periods, a time axis may label every so often, smallest first.
 * @param {string} type
 * @returns {number[]}
 */
export function tickSteps(type) {
  if (type === "month") return [1, 2, 3, 6, 12, 24, 36, 60, 120, 240, 600];
  if (type === "quarter") return [1, 2, 4, 8, 12, 20, 40, 80, 200];
  if (type in SHAPES) return [1, 2, 5, 10, 20, 50, 100, 200];
  return [];
}

/**
 * A tick's text for the period `index` of a type, labelled every `step` periods: months
 * "Jan 2023" (or "2023" once a step is a year or more); quarters "2023 Q1" (or "2023");
 * years "2023", "2023/24".
 * @param {string} type
 * @param {number} index
 * @param {number} step
 * @returns {string}
 */
export function periodTickLabel(type, index, step) {
  if (type === "month") {
    const [year, month] = [Math.floor(index / 12), ((index % 12) + 12) % 12];
    return step >= 12 ? String(year) : `${MONTHS[month]} ${year}`;
  }
  if (type === "quarter") {
    const [year, quarter] = [Math.floor(index / 4), (((index % 4) + 4) % 4) + 1];
    return step >= 4 ? String(year) : `${year} Q${quarter}`;
  }
  if (type === "calendar_year") return String(index);
  return `${index}/${String((index + 1) % 100).padStart(2, "0")}`;
}
