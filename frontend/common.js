// What the page's modules share: element lookup, JSON requests to this server, escaping
// and number formatting.

export const $ = (id) => document.getElementById(id);
export const api = async (path, options) => {
  const response = await fetch(path, options);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
};

export function format(value, legend) {
  if (value === null || value === undefined) return "no value";
  const unit = legend.indicator.unit ? ` ${legend.indicator.unit}` : "";
  return `${Number(value).toLocaleString("en-GB", { maximumFractionDigits: 2 })}${unit}`;
}

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
