// @ts-check
// The gap view's chart: the most deprived group and the rest of the city over time, each a
// line within its 95% band, as the shapes of the SVG the page draws as elements (never as
// HTML); and the gap's latest numbers as text.

/**
 * @typedef {{ value: number | null, lower: number | null, upper: number | null }} Interval
 * @typedef {{ period: string, withheld: boolean, most_deprived: Interval, rest: Interval,
 *   absolute_gap: Interval, relative_gap: Interval, sii: Interval }} GapPeriod
 * @typedef {{ points: string, band: string }} Series  a polyline's and a band polygon's points
 * @typedef {object} GapChart
 * @property {number} width
 * @property {number} height
 * @property {Series} mostDeprived
 * @property {Series} rest
 * @property {[number, number]} range   the values at the bottom and the top of the plot
 * @property {string} label   "2021-01 to 2021-03 … 2023-10 to 2023-12"
 */

const PAD = 4;

/**
 * Both groups' lines and bands, on one scale that holds every interval; null when fewer
 * than two periods have values. Withheld periods are left out of lines and bands.
 * @param {ReadonlyArray<GapPeriod>} periods
 * @param {number} [width]
 * @param {number} [height]
 * @returns {GapChart | null}
 */
export function gapChart(periods, width = 320, height = 120) {
  const shown = periods.map((p, i) => ({ p, i })).filter(({ p }) => !p.withheld && p.most_deprived.value !== null && p.rest.value !== null);
  if (shown.length < 2) return null;
  /** @type {number[]} */
  const ys = [];
  for (const { p } of shown) {
    for (const g of [p.most_deprived, p.rest]) {
      for (const v of [g.value, g.lower, g.upper]) if (v !== null) ys.push(Number(v));
    }
  }
  const [lo, hi] = [Math.min(...ys), Math.max(...ys)];
  /** @param {number} i */
  const x = (i) => (periods.length > 1 ? (i / (periods.length - 1)) * (width - 2 * PAD) + PAD : width / 2);
  /** @param {number} v */
  const y = (v) => height - PAD - ((v - lo) / (hi - lo || 1)) * (height - 2 * PAD);
  /** @param {number} i @param {number} v */
  const xy = (i, v) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`;
  /** @param {(p: GapPeriod) => Interval} pick @returns {Series} */
  const series = (pick) => {
    const line = shown.map(({ p, i }) => xy(i, Number(pick(p).value)));
    const banded = shown.filter(({ p }) => pick(p).lower !== null && pick(p).upper !== null);
    const up = banded.map(({ p, i }) => xy(i, Number(pick(p).upper)));
    const down = banded.map(({ p, i }) => xy(i, Number(pick(p).lower))).reverse();
    return { points: line.join(" "), band: [...up, ...down].join(" ") };
  };
  return {
    width,
    height,
    mostDeprived: series((p) => p.most_deprived),
    rest: series((p) => p.rest),
    range: [lo, hi],
    label: `${periods[0].period} … ${periods[periods.length - 1].period}`,
  };
}

/**
 * A number and its interval as text: "6.2 (5.9 to 6.5)"; "no value".
 * @param {Interval} interval
 * @returns {string}
 */
export function intervalText(interval) {
  if (interval.value === null) return "no value";
  /** @param {number} v */
  const n = (v) => Number(v).toLocaleString("en-GB", { maximumSignificantDigits: 3 });
  if (interval.lower === null || interval.upper === null) return n(interval.value);
  return `${n(interval.value)} (${n(interval.lower)} to ${n(interval.upper)})`;
}

/**
 * The newest period with values, and its numbers in words, one line each.
 * @param {ReadonlyArray<GapPeriod>} periods
 * @param {string} group   "fifth" or "tenth"
 * @returns {{ period: string, lines: string[] } | null}
 */
export function latestGap(periods, group) {
  const latest = [...periods].reverse().find((p) => !p.withheld && p.absolute_gap.value !== null);
  if (!latest) return null;
  return {
    period: latest.period,
    lines: [
      `Most deprived ${group}: ${intervalText(latest.most_deprived)}`,
      `Rest of the city: ${intervalText(latest.rest)}`,
      `Absolute gap: ${intervalText(latest.absolute_gap)}`,
      `Relative gap (ratio): ${intervalText(latest.relative_gap)}`,
      `Slope index of inequality: ${intervalText(latest.sii)}`,
    ],
  };
}
