// @ts-check
// The NIS server's paths the page asks, built in one place (relative: the page is served by
// the server it asks).

/** @typedef {import("./view.js").View} View */

/** @param {string} text */
const seg = (text) => encodeURIComponent(text);

/**
 * The query of a map view (type, scheme, classes, and the period if one is chosen).
 * @param {View} view
 * @returns {URLSearchParams}
 */
function mapQuery(view) {
  const query = new URLSearchParams({ type: view.type ?? "", scheme: view.scheme, classes: String(view.classes) });
  if (view.period) query.set("period", view.period);
  return query;
}

/**
 * The values of a view, without geometries (`/api/maps/{indicator}?geometry=false`).
 * @param {View} view
 */
export function valuesPath(view) {
  const query = mapQuery(view);
  query.set("geometry", "false");
  return `api/maps/${seg(view.indicator ?? "")}?${query}`;
}

/**
 * The links of a view's downloads and exports.
 * @param {View} view
 * @returns {{ geojson: string, html: string, png: string, csv: string }}
 */
export function downloadPaths(view) {
  const base = `api/maps/${seg(view.indicator ?? "")}`;
  const query = mapQuery(view);
  const csv = new URLSearchParams({ indicator: view.indicator ?? "", type: view.type ?? "" });
  if (view.period) csv.set("period", view.period);
  return {
    geojson: `${base}?${query}`,
    html: `${base}/export.html?${query}`,
    png: `${base}/export.png?${query}`,
    csv: `api/observations?${csv}`,
  };
}

/**
 * A view's indicator layer with every period in one file (`/api/downloads`), named by the
 * server with its extension: `long` has a row per area and period, `wide` a row per area
 * and a column of values per period. Suppression is the one-period file's.
 * @param {View} view
 * @param {"csv" | "gpkg" | "geojson"} format
 * @param {"long" | "wide"} [layout]
 */
export function allPeriodsPath(view, format, layout = "long") {
  const layer = `${view.indicator ?? ""}.${view.type ?? ""}`;
  return `api/downloads/${seg(layer)}.${format}?${new URLSearchParams({ periods: "all", layout })}`;
}

/**
 * The file name a CSV download is saved as.
 * @param {View} view
 */
export function csvName(view) {
  return `${view.indicator}-${view.type}-${view.period || "all"}.csv`;
}

/**
 * The file name the GeoJSON download is saved as.
 * @param {View} view
 */
export function geojsonName(view) {
  return `${view.indicator}-${view.type}-${view.period || "latest"}.geojson`;
}

/**
 * The city's most deprived fifth (or tenth) of the areas of a type, by its own IMD
 * ranking: the areas the map outlines (the gap view's group).
 * @param {string} type
 */
export function deprivationPath(type) {
  return `api/gaps?area_type=${seg(type)}`;
}

/**
 * An indicator in the city's most deprived group against the rest, over time (the finest
 * area type the city ranks by deprivation).
 * @param {string} indicator
 */
export function gapPath(indicator) {
  return `api/gaps/${seg(indicator)}`;
}

/**
 * An area type's GeoJSON at a display level (coarser for big types).
 * @param {string} type
 * @param {number} count  the type's number of areas
 */
export function areasPath(type, count) {
  const level = count > 5000 ? 3 : 1; // a nation's LSOAs at level 3 stay usable
  return `api/areas?type=${seg(type)}&simplify=${level}`;
}

/**
 * An area type's TileJSON (its vector tiles' template, bounds and zooms).
 * @param {string} type
 */
export function tileJsonPath(type) {
  return `tiles/${seg(type)}.json`;
}

/**
 * One area's outline (GeoJSON feature), to zoom to it.
 * @param {string} code
 * @param {string} type
 */
export function areaPath(code, type) {
  return `api/areas/${seg(code)}?${new URLSearchParams({ type, simplify: "1" })}`;
}

/** @param {string} type */
export function areaNamesPath(type) {
  return `api/area-types/${seg(type)}/names`;
}

/** @param {string} code */
export function profilePath(code) {
  return `api/areas/${seg(code)}/profile`;
}

/**
 * One indicator's series in one area (an alert's charts).
 * @param {string} indicator
 * @param {string} type
 * @param {string} area
 */
export function seriesPath(indicator, type, area) {
  return `api/observations?${new URLSearchParams({ indicator, type, area })}`;
}

/** Signing in and out (`/api/auth`). */
export const AUTH = Object.freeze({
  session: "api/auth/session",
  signIn: "api/auth/sign-in",
  signOut: "api/auth/sign-out",
  signOutEverywhere: "api/auth/sign-out-everywhere",
});

/**
 * The start of single sign-on, which comes back to `next`: the page's path, query and
 * hash (the view the officer was looking at).
 * @param {string} path    location.pathname
 * @param {string} query   location.search, with its "?" or empty
 * @param {string} [hash]  location.hash, with its "#" or empty
 */
export function ssoStartPath(path, query, hash = "") {
  return `api/auth/sso/start?${new URLSearchParams({ next: `${path}${query}${hash}` })}`;
}

/**
 * An alert's sub-resource: its acknowledgements, its assignment or its history.
 * @param {number} id
 * @param {"acknowledgements" | "assignment" | "history"} what
 */
export function alertPath(id, what) {
  return `api/alerts/${seg(String(id))}/${what}`;
}

/**
 * An area's report to take to a meeting: HTML to print, and the same as a PDF.
 * @param {string} code
 * @returns {{ html: string, pdf: string }}
 */
export function reportPaths(code) {
  return { html: `api/areas/${seg(code)}/report.html`, pdf: `api/areas/${seg(code)}/report.pdf` };
}

/**
 * Every area of a view's type for its indicator and period, with intervals (the compare
 * view).
 * @param {View} view
 */
export function comparePath(view) {
  const query = new URLSearchParams({ type: view.type ?? "" });
  if (view.period) query.set("period", view.period);
  return `api/indicators/${seg(view.indicator ?? "")}/compare?${query}`;
}
