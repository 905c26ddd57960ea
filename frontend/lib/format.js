// @ts-check
// Numbers as people read them. (The page builds elements and sets server text as text: no
// helper makes HTML.)

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
