// @ts-check
// Numbers as people read them, and text made safe for the few places that build HTML.

/**
 * A value with its unit ("12.35 crimes"), or "no value".
 * @param {number | string | null | undefined} value
 * @param {string | null | undefined} [unit]
 * @returns {string}
 */
export function formatValue(value, unit) {
  if (value === null || value === undefined) return "no value";
  const number = Number(value).toLocaleString("en-GB", { maximumFractionDigits: 2 });
  return unit ? `${number} ${unit}` : number;
}

/** @type {Record<string, string>} */
const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Text for an HTML string (element content or a quoted attribute): shown as text, never read
 * as markup.
 * @param {unknown} text
 * @returns {string}
 */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
