// @ts-check
// Choosing from the server's catalogues: indicators grouped for the picker, the area types an
// indicator can be mapped at.

/**
 * @typedef {object} Indicator
 * @property {string} code
 * @property {string} title
 * @property {string} agency
 * @property {string} topic
 * @property {string[]} area_types
 *
 * @typedef {object} AreaType
 * @property {string} code
 * @property {string} name
 * @property {Array<{ count: number }>} vintages   oldest first
 * @property {boolean} [custom]   an officer's custom area, carried from the small areas
 */

/**
 * The indicators whose title, code, agency or topic contain `filter` (any case), grouped by
 * "agency — topic" in catalogue order.
 * @param {readonly Indicator[]} indicators
 * @param {string} [filter]
 * @returns {Array<[string, Indicator[]]>}
 */
export function groupIndicators(indicators, filter = "") {
  const wanted = filter.toLowerCase();
  /** @type {Map<string, Indicator[]>} */
  const groups = new Map();
  for (const ind of indicators) {
    if (wanted && !`${ind.title} ${ind.code} ${ind.agency} ${ind.topic}`.toLowerCase().includes(wanted)) continue;
    const key = `${ind.agency} — ${ind.topic}`;
    const group = groups.get(key) ?? [];
    if (!group.length) groups.set(key, group);
    group.push(ind);
  }
  return [...groups];
}

/**
 * The indicator a view opens on when it names none the catalogue has: all crime, else the
 * first.
 * @param {readonly Indicator[]} indicators
 * @returns {string | null}
 */
export function defaultIndicator(indicators) {
  return (indicators.find((i) => i.code === "all_crime") ?? indicators[0])?.code ?? null;
}

/**
 * The number of areas a map of the type shows (its newest vintage's).
 * @param {AreaType} type
 */
export function newestCount(type) {
  return type.vintages.length ? type.vintages[type.vintages.length - 1].count : 0;
}

/**
 * The area types with areas that the indicator is published at (every type with areas when
 * the indicator is unknown), and custom areas (whose values are carried from the small
 * areas), and the one to show: `current` if allowed, else the finest (the type with the
 * most areas).
 * @param {readonly AreaType[]} types
 * @param {Indicator | undefined} indicator
 * @param {string | null} current
 * @returns {{ allowed: AreaType[], type: string | null }}
 */
export function typesFor(types, indicator, current) {
  const allowed = types.filter(
    (t) => t.vintages.length && (!indicator || t.custom || indicator.area_types.includes(t.code)),
  );
  if (allowed.some((t) => t.code === current) || !allowed.length) return { allowed, type: current };
  /** @param {AreaType} t */
  const size = (t) => Math.max(...t.vintages.map((v) => v.count));
  return { allowed, type: allowed.reduce((a, b) => (size(b) > size(a) ? b : a)).code };
}
