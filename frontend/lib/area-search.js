// @ts-check
// Finding a place from the search box: what to ask the server (`GET /api/areas/search`),
// and its answer as the choices and the line of text the box shows under it.

/**
 * @typedef {object} AreaHit
 * @property {string} type        area type code, e.g. "ward"
 * @property {string} type_name   e.g. "Ward"
 * @property {string} code
 * @property {string} name
 * @property {number} vintage
 * @property {"code" | "name" | "postcode"} match
 *
 * @typedef {object} AreaSearch
 * @property {string} query
 * @property {{ postcode: string } | null} postcode
 * @property {AreaHit[]} hits
 *
 * @typedef {object} Choice
 * @property {string} type
 * @property {string} typeName
 * @property {string} code
 * @property {string} label   the option's text: name, type and code
 */

/** The fewest characters searched for as the officer types (one letter finds too much). */
export const MIN_QUERY = 2;
/** The most the server searches (longer text is refused). */
export const MAX_QUERY = 100;

/**
 * The text to search for, or null when the box holds too little (or too much) to ask.
 * @param {string} text
 * @returns {string | null}
 */
export function searchQuery(text) {
  const query = text.trim().replace(/\s+/g, " ");
  return query.length >= MIN_QUERY && query.length <= MAX_QUERY ? query : null;
}

/**
 * The search's path on this server.
 * @param {string} query
 * @param {number} [limit]
 */
export function areaSearchPath(query, limit = 20) {
  return `api/areas/search?${new URLSearchParams({ q: query, limit: String(limit) })}`;
}

/**
 * The choices an answer offers, best first: "Burngreave — Ward (E05010860)".
 * @param {AreaSearch} answer
 * @returns {Choice[]}
 */
export function searchChoices(answer) {
  return answer.hits.map((hit) => ({
    type: hit.type,
    typeName: hit.type_name,
    code: hit.code,
    label: hit.name === hit.code ? `${hit.code} — ${hit.type_name}` : `${hit.name} — ${hit.type_name} (${hit.code})`,
  }));
}

/**
 * The line under the box: "No match for “…”", a postcode's heading, or how many were found.
 * @param {AreaSearch} answer
 * @returns {string}
 */
export function searchStatus(answer) {
  const n = answer.hits.length;
  if (answer.postcode) {
    return n ? `${answer.postcode.postcode} is in:` : `${answer.postcode.postcode} is in no area held here`;
  }
  if (!n) return `No match for “${answer.query}”`;
  return `${n} area${n === 1 ? "" : "s"} found`;
}

/**
 * What choosing a hit does: show its area on the map of its type, when the indicator is
 * mapped at that type; otherwise a notice saying why it cannot.
 * @param {Choice} choice
 * @param {readonly string[]} offered   the area types the map offers for the indicator
 * @returns {{ type: string, area: string } | { notice: string }}
 */
export function chooseArea(choice, offered) {
  if (offered.includes(choice.type)) return { type: choice.type, area: choice.code };
  return { notice: `${choice.label}: this indicator is not mapped by ${choice.typeName}; choose another indicator to see it` };
}

/**
 * The option the arrow keys move to, wrapping around; -1 for none.
 * @param {number} current   -1 when none is active
 * @param {number} count
 * @param {"ArrowDown" | "ArrowUp"} key
 */
export function moveActive(current, count, key) {
  if (!count) return -1;
  if (key === "ArrowDown") return current < 0 ? 0 : (current + 1) % count;
  return current < 0 ? count - 1 : (current - 1 + count) % count;
}
