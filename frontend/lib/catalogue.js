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
 * @property {string} [value_type]   count, rate, percentage, mean or score
 * @property {string[]} [synonyms]   other words officers use for it ("truancy")
 *
 * @typedef {object} AreaType
 * @property {string} code
 * @property {string} name
 * @property {Array<{ count: number }>} vintages   oldest first
 * @property {boolean} [custom]   an officer's custom area, carried from the small areas
 */

/**
 * The indicators whose title, code, agency, topic or one of the synonyms the catalogue
 * declares ("truancy" for persistent absence) contain `filter` (any case, surrounding
 * spaces ignored), grouped by "agency — topic" in catalogue order.
 * @param {readonly Indicator[]} indicators
 * @param {string} [filter]
 * @returns {Array<[string, Indicator[]]>}
 */
export function groupIndicators(indicators, filter = "") {
  const wanted = filter.trim().toLowerCase();
  /** @type {Map<string, Indicator[]>} */
  const groups = new Map();
  for (const ind of indicators) {
    if (wanted && !searchText(ind).includes(wanted)) continue;
    const key = `${ind.agency} — ${ind.topic}`;
    const group = groups.get(key) ?? [];
    if (!group.length) groups.set(key, group);
    group.push(ind);
  }
  return [...groups];
}

/** @param {Indicator} ind */
const searchText = (ind) =>
  [ind.title, ind.code, ind.agency, ind.topic, ...(ind.synonyms ?? [])].join(" ").toLowerCase();

/** The indicators a view opens on by preference, when the catalogue has them: rates that
 * compare areas of any size (a month's raw count mostly maps where people live). */
export const PREFERRED_DEFAULTS = ["all_crime_rate"];
/** Value types that compare areas of different sizes, for a default. */
const COMPARABLE = new Set(["rate", "percentage"]);

/**
 * The indicator a view opens on when it names none the catalogue has: recorded crime per
 * 1,000 residents, else the first rate or percentage, else the first indicator.
 * @param {readonly Indicator[]} indicators
 * @returns {string | null}
 */
export function defaultIndicator(indicators) {
  const preferred = PREFERRED_DEFAULTS.map((code) => indicators.find((i) => i.code === code)).find(Boolean);
  const comparable = indicators.find((i) => COMPARABLE.has(i.value_type ?? ""));
  return (preferred ?? comparable ?? indicators[0])?.code ?? null;
}

/**
 * The number of areas a map of the type shows (its newest vintage's).
 * @param {AreaType} type
 */
export function newestCount(type) {
  return type.vintages.length ? type.vintages[type.vintages.length - 1].count : 0;
}

/**
 * The area types with more than one area that the indicator is published at (every such
 * type when the indicator is unknown), and custom areas (whose values are carried from the
 * small areas), and the one to show: `current` if allowed, else the finest (the type with
 * the most areas). A type of one area (the city) is no choropleth: one polygon in one
 * colour compares nothing. An officer's custom areas are offered however few they are.
 * @param {readonly AreaType[]} types
 * @param {Indicator | undefined} indicator
 * @param {string | null} current
 * @returns {{ allowed: AreaType[], type: string | null }}
 */
export function typesFor(types, indicator, current) {
  const allowed = types.filter(
    (t) => (t.custom ? t.vintages.length > 0 : newestCount(t) > 1)
      && (!indicator || t.custom || indicator.area_types.includes(t.code)),
  );
  if (allowed.some((t) => t.code === current) || !allowed.length) return { allowed, type: current };
  /** @param {AreaType} t */
  const size = (t) => Math.max(...t.vintages.map((v) => v.count));
  return { allowed, type: allowed.reduce((a, b) => (size(b) > size(a) ? b : a)).code };
}
