// @ts-check
// The performance framework page's pure helpers: a measure's three risks (and the
// innovation flag) as rows of words, its trajectory chart as the shapes of an SVG the page
// draws as elements, and who may give an action's update. The page sets all text as text.

/**
 * @typedef {{ level: string | null, reason: string }} Risk
 * @typedef {{ action: string, title: string, status: string, verdict: string, reason: string }} Verdict
 * @typedef {object} Risks
 * @property {Risk} speed
 * @property {Risk} future
 * @property {Verdict[]} effectiveness
 * @property {boolean | null} effective
 * @property {{ raised: boolean, reason: string }} innovation
 * @property {{ periods: string[], value: (number|null)[], lower: (number|null)[], upper: (number|null)[] } | null} series
 * @property {{ periods: string[], values: (number|null)[] } | null} trajectory
 * @property {{ due_period: string, value: number } | null} target
 * @property {string} unit
 * @typedef {{ name: string, level: string, tone: string, reason: string }} RiskRow
 */

const SPEED = { low: "Low risk", medium: "Medium risk", high: "High risk" };
const FUTURE = { green: "On course", amber: "Uncertain", red: "Off course" };
const TONE = { low: "good", green: "good", medium: "warn", amber: "warn", high: "bad", red: "bad" };

/**
 * The rows of a measure's risk panel, each with a level in words, a tone for its colour
 * (good | warn | bad | none) and the reason the server gave.
 * @param {Risks} risks
 * @param {{ reason: string } | null} flag  the open innovation flag, if any
 * @returns {RiskRow[]}
 */
export function riskRows(risks, flag) {
  const speed = risks.speed.level;
  const future = risks.future.level;
  const judged = risks.effectiveness.map((e) => `${e.title} (${e.status.replaceAll("_", " ")}): ${e.reason}`);
  const effective = risks.effective;
  return [
    { name: "Speed", level: speed ? SPEED[/** @type {keyof SPEED} */ (speed)] ?? speed : "Not assessed",
      tone: speed ? TONE[/** @type {keyof TONE} */ (speed)] ?? "none" : "none", reason: risks.speed.reason },
    { name: "Effectiveness",
      level: effective === true ? "Shown" : effective === false ? "Not shown" : "Nothing to judge",
      tone: effective === true ? "good" : effective === false ? "bad" : "none",
      reason: judged.length ? judged.join(" ") : "No action is linked to this measure." },
    { name: "Future outcome", level: future ? FUTURE[/** @type {keyof FUTURE} */ (future)] ?? future : "Not assessed",
      tone: future ? TONE[/** @type {keyof TONE} */ (future)] ?? "none" : "none", reason: risks.future.reason },
    { name: "Innovation", level: flag ? "Something new is needed" : "No flag", tone: flag ? "bad" : "none",
      reason: flag ? flag.reason : risks.innovation.reason },
  ];
}

/**
 * @typedef {object} Chart
 * @property {number} width
 * @property {number} height
 * @property {string} observed   the observed values' polyline points
 * @property {string} band       their 95% band's polygon points
 * @property {string} plan       the planned trajectory's polyline points
 * @property {{ x: number, y: number, label: string } | null} target
 * @property {{ x: number, y: number, label: string }[]} yTicks
 * @property {{ x: number, label: string }[]} xTicks
 */

const M = { left: 52, right: 28, top: 10, bottom: 34 };

/**
 * The trajectory chart's shapes: observed values with their band, the plan from the
 * baseline to the target, the target, and labelled axes. Null without two values.
 * @param {Risks} risks
 * @param {number} [width]
 * @param {number} [height]
 * @returns {Chart | null}
 */
export function trajectoryChart(risks, width = 560, height = 220) {
  const series = risks.series;
  if (!series) return null;
  const plan = risks.trajectory ?? { periods: [], values: [] };
  const labels = [...series.periods, ...plan.periods.filter((p) => !series.periods.includes(p))];
  const at = new Map(labels.map((p, i) => [p, i]));
  /** @type {number[]} */
  const ys = [];
  for (const list of [series.value, series.lower, series.upper, plan.values]) {
    for (const v of list) if (v !== null && Number.isFinite(v)) ys.push(v);
  }
  if (risks.target) ys.push(risks.target.value);
  if (series.value.filter((v) => v !== null).length < 2 || ys.length === 0) return null;
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.08;
  lo = lo >= 0 && lo - pad < 0 ? 0 : lo - pad;
  hi += pad;
  const n = Math.max(labels.length - 1, 1);
  /** @param {number} i */
  const x = (i) => M.left + ((width - M.left - M.right) * i) / n;
  /** @param {number} v */
  const y = (v) => M.top + ((height - M.top - M.bottom) * (hi - v)) / (hi - lo);
  /** @param {number} i @param {number} v */
  const xy = (i, v) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`;
  const seen = series.value.map((v, i) => ({ v, i })).filter(({ v }) => v !== null);
  const banded = series.lower.map((lower, i) => ({ lower, upper: series.upper[i], i }))
    .filter(({ lower, upper }) => lower !== null && upper !== null);
  const planned = plan.periods.map((p, k) => ({ i: at.get(p), v: plan.values[k] }))
    .filter(({ i, v }) => i !== undefined && v !== null);
  const target = risks.target && at.has(risks.target.due_period)
    ? { x: x(/** @type {number} */ (at.get(risks.target.due_period))), y: y(risks.target.value),
        label: `Target ${risks.target.value} by ${risks.target.due_period}` }
    : null;
  const step = Math.max(1, Math.ceil(labels.length / 5));
  return {
    width,
    height,
    observed: seen.map(({ v, i }) => xy(i, /** @type {number} */ (v))).join(" "),
    band: [...banded.map(({ upper, i }) => xy(i, /** @type {number} */ (upper))),
      ...banded.map(({ lower, i }) => xy(i, /** @type {number} */ (lower))).reverse()].join(" "),
    plan: planned.map(({ i, v }) => xy(/** @type {number} */ (i), /** @type {number} */ (v))).join(" "),
    target,
    yTicks: ticks(lo, hi).map((v) => ({ x: M.left - 4, y: y(v), label: formatTick(v) })),
    xTicks: labels.map((p, i) => ({ x: x(i), label: p.split(" to ").pop() ?? p })).filter((_, i) => i % step === 0),
  };
}

/**
 * About five round values between lo and hi.
 * @param {number} lo
 * @param {number} hi
 */
export function ticks(lo, hi) {
  const raw = (hi - lo) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toPrecision(10)));
  return out;
}

/** @param {number} v */
const formatTick = (v) => (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-GB") : String(Number(v.toPrecision(3))));

/**
 * Whether the signed-in viewer gives this action's updates: its owner, signed in.
 * @param {{ owner: string }} action
 * @param {{ signed_in: boolean, username: string | null }} who
 */
export function givesUpdates(action, who) {
  return who.signed_in && who.username !== null && who.username === action.owner;
}

/**
 * Whether the viewer may issue the board's report: a member, or an administrator.
 * @param {{ members: { username: string }[] }} board
 * @param {{ signed_in: boolean, username: string | null, role: string }} who
 */
export function mayIssue(board, who) {
  return who.role === "admin" || (who.signed_in && board.members.some((m) => m.username === who.username));
}

/**
 * The reporting cycle (a month, YYYY-MM) of a day.
 * @param {Date} day
 */
export function cycleOf(day) {
  return `${day.getUTCFullYear()}-${String(day.getUTCMonth() + 1).padStart(2, "0")}`;
}
