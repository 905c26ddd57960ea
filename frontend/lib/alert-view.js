// @ts-check
// What the alerts panel says of an alert beyond its sentence: when it was raised and
// whether it is new since the viewer's last visit, where the map goes when it is opened
// (its indicator, area type, period and the areas to outline: a hotspot's whole cluster),
// its statistics for "details", and who acknowledged it or has it. Text only.

/**
 * The fields of an alert (/api/alerts) these helpers read; older servers lack some.
 * @typedef {object} AlertFacts
 * @property {string} kind
 * @property {string | null} area_code
 * @property {string | null} area_type
 * @property {string[]} indicators
 * @property {string | null} period_to
 * @property {number | null} [q]
 * @property {string} created_at
 * @property {string} [raised_at]
 * @property {string[]} [details]
 * @property {{ indicator?: string, type?: string | null, period?: string | null, areas?: string[] }} [map]
 * @property {{ from?: string | null, to?: string | null, label?: string | null } | null} [window]
 * @property {{ by?: string | null, by_name?: string | null, at: string, note?: string | null } | null} [acknowledged]
 * @property {{ name: string, display_name?: string | null, by?: string | null, by_name?: string | null, at: string } | null} [assigned_to]
 */

/**
 * Where opening the alert takes the map: the server's `map`, else the first indicator at
 * the window's last period (only for an alert of one indicator: a correlated alert's
 * window ends at the last of its indicators' periods, which may be another kind of period).
 * @param {AlertFacts} alert
 * @returns {{ indicator: string | null, type: string | null, period: string | null, areas: string[] }}
 */
export function mapTarget(alert) {
  const map = alert.map ?? {};
  const areas = map.areas?.length ? map.areas : alert.area_code ? [alert.area_code] : [];
  return {
    indicator: map.indicator ?? alert.indicators[0] ?? null,
    type: map.type ?? alert.area_type,
    period: map.period ?? (alert.indicators.length === 1 ? alert.period_to : null),
    areas,
  };
}

/**
 * When the alert was first raised (the server's `raised_at`, else its run's time).
 * @param {AlertFacts} alert
 * @returns {Date | null}
 */
export function raisedAt(alert) {
  const when = new Date(alert.raised_at ?? alert.created_at);
  return Number.isNaN(when.getTime()) ? null : when;
}

/**
 * A day as officers write it: "3 Dec 2026".
 * @param {Date} when
 */
export function dayText(when) {
  return when.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

/**
 * "Raised 3 Dec 2026".
 * @param {AlertFacts} alert
 */
export function raisedText(alert) {
  const when = raisedAt(alert);
  return when ? `Raised ${dayText(when)}` : "";
}

/**
 * Whether the alert was raised after the viewer's last visit (an ISO time kept by the
 * browser; none: the first visit, when nothing is marked new).
 * @param {AlertFacts} alert
 * @param {string | null} lastVisit
 */
export function isNewSince(alert, lastVisit) {
  if (!lastVisit) return false;
  const when = raisedAt(alert);
  const since = new Date(lastVisit);
  return when !== null && !Number.isNaN(since.getTime()) && when > since;
}

/**
 * The statistics behind the sentence, each a line ("details"): the server's, or at the
 * least its false discovery rate.
 * @param {AlertFacts} alert
 * @returns {string[]}
 */
export function detailLines(alert) {
  if (alert.details?.length) return alert.details;
  const lines = [];
  if (alert.q !== null && alert.q !== undefined) lines.push(`False discovery rate q = ${alert.q.toPrecision(2)}`);
  if (alert.period_to) lines.push(`Window ends ${alert.period_to}`);
  return lines;
}

/**
 * The alert's window in words ("the 12 months 2023-01 to 2023-12"), for the profile to
 * show beside the latest month; null when the alert has none.
 * @param {AlertFacts} alert
 */
export function windowText(alert) {
  if (alert.window?.label) return alert.window.label;
  const from = alert.window?.from ?? null;
  const to = alert.window?.to ?? alert.period_to;
  if (!to) return null;
  return from && from !== to ? `${from} to ${to}` : to;
}

/**
 * Who has the alert in hand, in words: "Acknowledged by A. Officer on 3 Dec 2026: looking
 * into it", "Assigned to B. Analyst by A. Officer on 4 Dec 2026". Empty when nobody.
 * @param {AlertFacts} alert
 * @returns {string[]}
 */
export function handlingLines(alert) {
  const lines = [];
  const ack = alert.acknowledged;
  if (ack) {
    const when = new Date(ack.at);
    const on = Number.isNaN(when.getTime()) ? "" : ` on ${dayText(when)}`;
    const who = ack.by_name || ack.by;
    const by = who ? ` by ${who}` : "";
    lines.push(`Acknowledged${by}${on}${ack.note ? `: ${ack.note}` : ""}`);
  }
  const assigned = alert.assigned_to;
  if (assigned) {
    const when = new Date(assigned.at);
    const on = Number.isNaN(when.getTime()) ? "" : ` on ${dayText(when)}`;
    const by = assigned.by_name || assigned.by;
    lines.push(`Assigned to ${assigned.display_name || assigned.name}${by ? ` by ${by}` : ""}${on}`);
  }
  return lines;
}
