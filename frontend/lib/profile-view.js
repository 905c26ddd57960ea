// @ts-check
// A neighbourhood profile's rows as the panel and the printed report show them: grouped by
// partner and topic (deprivation last: it describes the place rather than what partners
// do), each with the area's value over its window, its interval, the city's value and the
// recent trend in a word. Text only: the page sets it as text.

import { formatValue } from "./format.js";

/**
 * The fields of a profile entry these helpers read (older servers lack the newer ones).
 * @typedef {object} Entry
 * @property {{ code: string, title: string, agency: string, topic: string, unit: string, polarity?: string }} indicator
 * @property {string} period
 * @property {number | null} value
 * @property {boolean} suppressed
 * @property {{ value: number | null, what?: string | null, why?: string | null } | null} [city]
 * @property {{ low: number | null, high: number | null, level?: number } | null} [interval]
 * @property {string | null} [trend_word]
 * @property {Window | null} [window]
 * @property {{ period: string, value: number | null, suppressed?: boolean } | null} [latest_month]
 * @property {{ label: string, city_value?: number | null, per?: number }} benchmark
 * @property {{ words?: string, label?: string } | null} [recent_trend]
 * @property {{ words?: string, label?: string } | null} [trend]
 */

/** @typedef {{ from: string, to: string, months?: number, label?: string }} Window */

/**
 * "12 months, 2023-01 to 2023-12".
 * @param {Window} window
 */
function windowWords(window) {
  const span = `${window.from} to ${window.to}`;
  return window.months ? `${window.months} months, ${span}` : span;
}

/**
 * @typedef {object} Group
 * @property {string} key
 * @property {string} agency
 * @property {string} heading   "Police: crime and safety"
 * @property {Entry[]} entries
 */

const AGENCY_ORDER = ["police", "fire", "transport", "health", "schools", "council"];
const LAST_TOPICS = ["deprivation", "population"];

/** @param {string} text */
const capital = (text) => (text ? `${text[0].toUpperCase()}${text.slice(1)}` : text);

/**
 * A group's heading: "Police: crime and safety", or the partner alone when its topic is
 * its name ("Fire", not "fire: fire").
 * @param {string} agency
 * @param {string} topic
 */
function headingOf(agency, topic) {
  return topic.toLowerCase() === agency.toLowerCase() ? capital(agency) : `${capital(agency)}: ${topic}`;
}

/**
 * The profile's rows by partner and topic: in the server's `groups` order when it gives
 * one, else partners in the usual order, topics alphabetically, deprivation and population
 * last.
 * @param {readonly Entry[]} entries
 * @param {ReadonlyArray<{ agency: string, agency_name?: string, topic: string, indicators: string[] }>} [groups]
 * @returns {Group[]}
 */
export function groupEntries(entries, groups) {
  const byCode = new Map(entries.map((e) => [e.indicator.code, e]));
  if (groups?.length) {
    return groups
      .map((g) => ({
        key: `${g.agency}|${g.topic}`, agency: g.agency,
        heading: headingOf(g.agency_name || g.agency, g.topic),
        entries: g.indicators.map((code) => byCode.get(code)).filter((e) => e !== undefined),
      }))
      .filter((g) => g.entries.length);
  }
  /** @type {Map<string, Group>} */
  const found = new Map();
  for (const entry of entries) {
    const { agency, topic } = entry.indicator;
    const key = `${agency}|${topic}`;
    const group = found.get(key) ?? { key, agency, heading: headingOf(agency, topic), entries: [] };
    if (!group.entries.length) found.set(key, group);
    group.entries.push(entry);
  }
  /** @param {Group} g */
  const rank = (g) => {
    const topic = g.key.split("|")[1];
    const last = LAST_TOPICS.indexOf(topic);
    const agency = AGENCY_ORDER.indexOf(g.agency);
    return [last < 0 ? 0 : last + 1, agency < 0 ? AGENCY_ORDER.length : agency];
  };
  return [...found.values()].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0] - rb[0] || ra[1] - rb[1] || a.heading.localeCompare(b.heading);
  });
}

/**
 * The interval of an entry's value (the server's `interval`; the city comparison's is on
 * the comparison's scale, per 1,000 residents for counts, so it is not the value's).
 * @param {Entry} entry
 * @returns {[number, number] | null}
 */
export function intervalOf(entry) {
  const low = entry.interval?.low ?? null;
  const high = entry.interval?.high ?? null;
  return low === null || high === null ? null : [low, high];
}

/**
 * What a row says: the value with its unit, over when, its interval, the city's value and
 * the recent trend in a word.
 * @param {Entry} entry
 * @returns {{ value: string, when: string, interval: string, city: string, trend: string, latest: string }}
 */
export function rowText(entry) {
  const unit = entry.indicator.unit;
  const value = entry.suppressed ? "suppressed" : formatValue(entry.value, unit);
  const when = entry.window ? (entry.window.label ?? windowWords(entry.window)) : entry.period;
  const range = entry.suppressed ? null : intervalOf(entry);
  const interval = range ? `95% CI ${formatValue(range[0])}–${formatValue(range[1])}` : "";
  const city = cityText(entry);
  const trend = entry.trend_word ?? entry.recent_trend?.words ?? entry.recent_trend?.label ?? entry.trend?.words ?? "";
  const month = entry.latest_month;
  const latest = month ? `Latest month ${month.period}: ${month.suppressed ? "suppressed" : formatValue(month.value, unit)}` : "";
  return { value, when, interval, city, trend, latest };
}

/**
 * The city's value beside the area's: the server's `city` on the value's scale (for a
 * count, what the area would have at the city's rate), else the city comparison's (per
 * 1,000 residents when it compares counts so).
 * @param {Entry} entry
 */
function cityText(entry) {
  if (entry.city) return entry.city.value === null ? "" : formatValue(entry.city.value, entry.indicator.unit);
  const value = entry.benchmark?.city_value;
  if (value === null || value === undefined) return "";
  return formatValue(value, entry.benchmark.per === 1000 ? "per 1,000 residents" : entry.indicator.unit);
}
