// @ts-check
// The alerts panel's order: a run raises alerts at several area types (each its own family
// of tests), so they are listed by type, finest first, and within a type correlated first.

/**
 * @typedef {object} Alert
 * @property {string} kind
 * @property {string | null} area_type
 * @property {string | null} area_type_name
 */

const KIND_ORDER = { correlated: 0, deterioration: 1, hotspot: 2, gap: 3 };

/**
 * Alerts grouped by their area type, in the order of `typeOrder` (codes, finest first:
 * types it does not name come after, in the order they appear); within a group correlated
 * first, then deterioration, hotspots and gaps, the server's order kept otherwise.
 * @template {Alert} T
 * @param {readonly T[]} alerts
 * @param {readonly string[]} [typeOrder]
 * @returns {Array<{ type: string, name: string, alerts: T[] }>}
 */
export function groupAlerts(alerts, typeOrder = []) {
  /** @type {Map<string, { type: string, name: string, alerts: T[] }>} */
  const groups = new Map();
  for (const alert of alerts) {
    const type = alert.area_type ?? "";
    const group = groups.get(type) ?? { type, name: alert.area_type_name ?? type, alerts: [] };
    if (!group.alerts.length) groups.set(type, group);
    group.alerts.push(alert);
  }
  /** @param {string} type */
  const rank = (type) => {
    const i = typeOrder.indexOf(type);
    return i < 0 ? typeOrder.length : i;
  };
  /** @param {string} kind */
  const kindRank = (kind) => KIND_ORDER[/** @type {keyof typeof KIND_ORDER} */ (kind)] ?? 4;
  const ordered = [...groups.values()].sort((a, b) => rank(a.type) - rank(b.type));
  for (const group of ordered) group.alerts.sort((a, b) => kindRank(a.kind) - kindRank(b.kind));
  return ordered;
}
