// The officers' map: pick an indicator, see the areas coloured by it, click one for its
// profile, go from an alert to the place. Plain ES module on vendored Leaflet; every
// request goes to this NIS server. Geometries are fetched once per area type and kept:
// as GeoJSON up to the instance's map_tiles_above areas, as vector tiles beyond (tiles.js);
// changing indicator, period or classes fetches values only.

import { $, api, escapeHtml, format } from "./common.js";
import { alertCharts, loadAlerts, showProfile, showTab } from "./panel.js";
import { AreaTiles, STYLE } from "./tiles.js";

const L = window.L;

const state = { indicator: null, type: null, period: null, scheme: "quantiles", classes: 5, area: null };
const geometryCache = new Map(); // area type -> GeoJSON FeatureCollection
const layers = new Map(); // area code -> Leaflet layer (current type, GeoJSON mode)
const areaNames = new Map(); // area code -> name (current type), for the search box
let map, areasLayer, labelsLayer, deprivedLayer, legendControl, values, indicators = [], playing = null;
let config = { map_tiles_above: 5000 };
let areaTiles = null; // the current type's vector tiles (tile mode), else null
let painting = 0; // paints under way (the play button can start one before another ends)
let hoverTip = null;
let deprivedCodes = []; // the areas outlined as the most deprived 10%

// ------------------------------------------------------------------ URL state
function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  for (const key of Object.keys(state)) {
    if (params.has(key)) state[key] = key === "classes" ? Number(params.get(key)) : params.get(key);
  }
}
function writeHash() {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(state)) if (value !== null && value !== "") params.set(key, value);
  history.replaceState(null, "", "#" + params.toString());
}

// ------------------------------------------------------------------ controls
function fillIndicators(filter = "") {
  const select = $("indicator");
  const wanted = filter.toLowerCase();
  const groups = new Map();
  for (const ind of indicators) {
    if (wanted && !`${ind.title} ${ind.code} ${ind.agency} ${ind.topic}`.toLowerCase().includes(wanted)) continue;
    const key = `${ind.agency} — ${ind.topic}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(ind);
  }
  select.replaceChildren(...[...groups].map(([label, list]) => {
    const group = document.createElement("optgroup");
    group.label = label;
    group.append(...list.map((ind) => new Option(ind.title, ind.code, false, ind.code === state.indicator)));
    return group;
  }));
}

function fillTypes(types) {
  const indicator = indicators.find((i) => i.code === state.indicator);
  const allowed = types.filter((t) => t.vintages.length && (!indicator || indicator.area_types.includes(t.code)));
  $("type").replaceChildren(...allowed.map((t) => new Option(t.name, t.code, false, t.code === state.type)));
  if (!allowed.some((t) => t.code === state.type) && allowed.length) {
    // The finest geography by default: the type with the most areas.
    const size = (t) => Math.max(...t.vintages.map((v) => v.count));
    state.type = allowed.reduce((a, b) => (size(b) > size(a) ? b : a)).code;
  }
  $("type").value = state.type;
}

function fillPeriods(periods) {
  const slider = $("period");
  slider.max = Math.max(periods.length - 1, 0);
  slider.value = Math.max(periods.indexOf(state.period), 0);
  slider.disabled = periods.length < 2;
  $("play").disabled = periods.length < 2;
  $("period-label").textContent = state.period || "no data";
  slider.setAttribute("aria-valuetext", state.period || "no data");
}

// ------------------------------------------------------------------ the map
let areaCounts = new Map(); // area type -> number of areas (newest vintage)

async function geometries(type) {
  if (!geometryCache.has(type)) {
    // Coarser display levels for big layers: a nation's LSOAs at level 3 stay usable.
    const level = (areaCounts.get(type) || 0) > 5000 ? 3 : 1;
    geometryCache.set(type, await api(`api/areas?type=${encodeURIComponent(type)}&simplify=${level}`));
  }
  return geometryCache.get(type);
}

function clearAreas() {
  for (const layer of [areasLayer, areaTiles, labelsLayer, deprivedLayer]) if (layer) layer.remove();
  areasLayer = areaTiles = labelsLayer = deprivedLayer = null;
  deprivedCodes = [];
  layers.clear();
  areaNames.clear();
  $("area-names").replaceChildren();
}

function listNames(names) {
  areaNames.clear();
  for (const [code, name] of names) areaNames.set(code, name);
  $("area-names").replaceChildren(...[...areaNames].map(([code, name]) => new Option(`${name} (${code})`)));
}

async function drawAreas() {
  const collection = await geometries(state.type);
  if (areasLayer && areasLayer.options.nisType === state.type) return;
  clearAreas();
  areasLayer = L.geoJSON(collection, {
    nisType: state.type,
    renderer: L.canvas({ padding: 0.2 }),
    style: () => ({ weight: STYLE.outline.weight, color: STYLE.outline.color, fillOpacity: STYLE.fillOpacity, fillColor: "#fff" }),
    onEachFeature: (feature, layer) => {
      layers.set(feature.id, layer);
      layer.on("mouseover", () => layer.bindTooltip(hoverText(feature.id, feature.properties.name), { sticky: true }).openTooltip());
      layer.on("click", () => selectArea(feature.id));
    },
  }).addTo(map);
  listNames(collection.features.map((f) => [f.id, f.properties.name]));
  labelsLayer = L.layerGroup(collection.features.map((f) => label(f.properties.name, layers.get(f.id).getBounds().getCenter())));
  showLabels();
  if (!state.area) map.fitBounds(areasLayer.getBounds());
}

// Tile mode: the type's vector tiles, fetched and decoded while the values are on their way,
// drawn once they are there.
async function drawTiles() {
  if (areaTiles && areaTiles.options.type === state.type) return;
  const type = state.type;
  const tilejson = await api(`tiles/${encodeURIComponent(type)}.json`);
  clearAreas();
  const [west, south, east, north] = tilejson.bounds;
  const bounds = L.latLngBounds([south, west], [north, east]);
  const focus = state.area ? await areaBounds(state.area, type) : null;
  // Settle the view first (no animation), so that only the tiles it shows are fetched.
  if (focus) map.fitBounds(focus, { maxZoom: 14, animate: false });
  else if (!state.area || !viewSet()) map.fitBounds(bounds, { animate: false });
  areaTiles = new AreaTiles({
    type, url: tilejson.tiles[0], fill: colourOf, bounds: bounds.pad(0.05), maxNativeZoom: tilejson.maxzoom,
  });
  areaTiles.on("loading", () => { if (!painting) document.body.dataset.state = "loading"; });
  areaTiles.on("load", () => {
    showLabels();
    if (!painting) markPainted();
  });
  areaTiles.addTo(map);
}

// Names for the search box in tile mode, fetched once the map is painted (they are not
// needed to draw it).
function loadNames(type) {
  api(`api/area-types/${encodeURIComponent(type)}/names`)
    .then((body) => { if (areaTiles && areaTiles.options.type === type) listNames(Object.entries(body.names)); })
    .catch(() => {});
}

function viewSet() {
  try { map.getCenter(); return true; } catch { return false; }
}

// Names where there is room to read them: only from street-level zooms. In tile mode, the
// areas of the loaded tiles, each at a point well inside it.
function label(name, latlng) {
  return L.marker(latlng, { icon: L.divIcon({ className: "area-label", html: escapeHtml(name), iconSize: null }), interactive: false });
}

function showLabels() {
  const near = map.getZoom() >= 14;
  if (areaTiles) {
    if (labelsLayer) labelsLayer.remove();
    labelsLayer = near ? L.layerGroup([...areaTiles.places().values()].map((p) => label(p.name, p.latlng))).addTo(map) : null;
  } else if (labelsLayer) {
    if (near) labelsLayer.addTo(map); else labelsLayer.remove();
  }
}

function colourOf(code) {
  const props = values && values.areas[code];
  return props ? props.colour : values ? values.legend.no_data.colour : "#fff";
}

// Tile mode beyond map_tiles_above areas. Counted from /api/area-types (the newest vintage,
// the areas a map shows), known before any paint, so geometries and values load together.
function tileMode(type) {
  return (areaCounts.get(type) || 0) > config.map_tiles_above;
}

function markPainted() {
  document.body.dataset.paintedAt = String(Math.round(performance.now()));
  document.body.dataset.state = "painted";
}

async function paint() {
  painting += 1;
  try {
    await paintView();
  } finally {
    painting -= 1;
  }
}

// The values of the current view (no geometries).
function valuesPath() {
  const query = new URLSearchParams({ type: state.type, scheme: state.scheme, classes: state.classes, geometry: "false" });
  if (state.period) query.set("period", state.period);
  return `api/maps/${encodeURIComponent(state.indicator)}?${query}`;
}

// A link that names the indicator and type can ask for its values while the page is still
// reading the catalogue; the first paint takes that answer if it asks for the same.
let earlyValues = null;
function fetchValues(path) {
  const early = earlyValues;
  earlyValues = null;
  return early && early.path === path ? early.response : api(path);
}

async function paintView() {
  const started = performance.now();
  document.body.dataset.state = "loading";
  const before = areaTiles || areasLayer;
  [values] = await Promise.all([fetchValues(valuesPath()), tileMode(state.type) ? drawTiles() : drawAreas()]);
  const legend = values.legend;
  state.period = legend.period;
  // Tiles already decoded are recoloured here; those still on their way, when they come.
  if (areaTiles) areaTiles.repaint();
  for (const [code, layer] of layers) layer.setStyle({ fillColor: colourOf(code) });
  if ((areaTiles || areasLayer) !== before && $("deprived").checked) showDeprived(true);
  fillPeriods(legend.periods);
  drawLegend(legend);
  const view = new URLSearchParams({ type: state.type, scheme: state.scheme, classes: state.classes, ...(state.period ? { period: state.period } : {}) });
  const base = `api/maps/${encodeURIComponent(state.indicator)}`;
  $("download-geojson").href = `${base}?${view}`;
  $("export-html").href = `${base}/export.html?${view}`;
  $("export-png").href = `${base}/export.png?${view}`;
  if (state.area) highlight(state.area);
  writeHash();
  // In tile mode, painted means every tile in view is drawn with these values.
  if (areaTiles) await areaTiles.drawn();
  if (areaTiles && !areaNames.size) loadNames(state.type);
  // Marks for the end-to-end tests and the paint benchmark.
  document.body.dataset.paintMs = String(Math.round(performance.now() - started));
  markPainted();
}

function drawLegend(legend) {
  const div = legendControl.getContainer();
  const rows = legend.classes.map((c) =>
    `<li><span class="swatch" style="background:${c.colour}"></span>${format(c.lower, legend)} – ${format(c.upper, legend)} (${c.count})</li>`);
  for (const [name, entry] of [["Suppressed", legend.suppressed], ["No data", legend.no_data]]) {
    if (entry.count) rows.push(`<li><span class="swatch" style="background:${entry.colour}"></span>${name} (${entry.count}) <span class="why">${escapeHtml(entry.why)}</span></li>`);
  }
  div.innerHTML = `<h2>${escapeHtml(legend.indicator.title)}, ${escapeHtml(legend.period || "no data")}</h2>
    <ul>${rows.join("")}</ul><p class="why">${escapeHtml(legend.palette)}; ${escapeHtml(legend.scheme.replace("_", " "))}</p>`;
}

function hoverText(code, name) {
  if (!values) return `<strong>${escapeHtml(name)}</strong> (${code})`;
  const props = values.areas[code];
  const legend = values.legend;
  let text = `<strong>${escapeHtml(name)}</strong> (${code})<br>`;
  text += props && props.status === "suppressed" ? "suppressed (small count)" : format(props && props.value, legend);
  if (props && props.value !== null && legend.city) text += `<br>${escapeHtml(legend.city.what)}: ${format(legend.city.value, legend)}`;
  return text;
}

// Tile mode: the area under the pointer from the decoded tiles, with the same tooltip and
// click as a GeoJSON area's.
function hoverTiles(e) {
  if (!areaTiles) return;
  const area = values ? areaTiles.featureAt(e.latlng) : null;
  map.getContainer().style.cursor = area ? "pointer" : "";
  if (!area) { hoverTip.close(); return; }
  hoverTip.setLatLng(e.latlng).setContent(hoverText(area.code, area.name));
  if (!hoverTip.isOpen()) hoverTip.openOn(map);
}

function clickTiles(e) {
  const area = areaTiles ? areaTiles.featureAt(e.latlng) : null;
  if (area) selectArea(area.code);
}

function highlight(code) {
  if (areaTiles) { areaTiles.select(code); return; }
  const { outline, selected } = STYLE;
  for (const [other, layer] of layers) layer.setStyle(other === code ? selected : outline);
  const layer = layers.get(code);
  if (layer) layer.bringToFront();
}

async function showDeprived(on) {
  if (deprivedLayer) { deprivedLayer.remove(); deprivedLayer = null; }
  if (areaTiles) areaTiles.outline([]);
  deprivedCodes = [];
  if (!on) return;
  const decile = await api(`api/maps/imd_decile?type=${encodeURIComponent(state.type)}&geometry=false`).catch(() => null);
  if (!decile) return;
  const codes = Object.entries(decile.areas).filter(([, p]) => p.value === 1).map(([code]) => code);
  deprivedCodes = areaTiles ? codes : codes.filter((c) => layers.has(c));
  if (areaTiles) { areaTiles.outline(codes); return; }
  const { weight, color, dashArray } = STYLE.deprived;
  deprivedLayer = L.featureGroup(codes.filter((c) => layers.has(c)).map((c) =>
    L.geoJSON(layers.get(c).feature, { interactive: false, style: { weight, color, fill: false, dashArray: dashArray.join(" ") } }))).addTo(map);
}

// Where an area is: its layer's bounds (GeoJSON mode), or its outline from the areas API.
async function areaBounds(code, type) {
  const layer = layers.get(code);
  if (layer) return layer.getBounds();
  const query = new URLSearchParams({ type, simplify: 1 });
  const feature = await api(`api/areas/${encodeURIComponent(code)}?${query}`).catch(() => null);
  return feature ? L.geoJSON(feature).getBounds() : null;
}

async function selectArea(code, type = state.type) {
  state.area = code;
  if (type !== state.type) { state.type = type; $("type").value = type; await paint(); }
  const bounds = await areaBounds(code, type);
  if (bounds) map.fitBounds(bounds, { maxZoom: 14 });
  highlight(code);
  writeHash();
  await showProfile(code, openAlert);
}

async function openAlert({ area, type, indicators: codes }) {
  if (!area) return;
  await selectArea(area, type);
  $("profile").insertAdjacentHTML("afterbegin", await alertCharts(area, type, codes));
}

// ------------------------------------------------------------------ downloads
async function downloadCsv() {
  const query = new URLSearchParams({ indicator: state.indicator, type: state.type, ...(state.period ? { period: state.period } : {}) });
  const response = await fetch(`api/observations?${query}`, { headers: { Accept: "text/csv" } });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = `${state.indicator}-${state.type}-${state.period || "all"}.csv`;
  link.click();
}

// ------------------------------------------------------------------ start
async function start() {
  readHash();
  if (state.indicator && state.type) {
    earlyValues = { path: valuesPath(), response: api(valuesPath()) };
    earlyValues.response.catch(() => {}); // a stale link: the first paint asks again
  }
  const [settings, catalogue, types] = await Promise.all([api("api/config"), api("api/indicators"), api("api/area-types")]);
  config = settings;
  indicators = catalogue;
  areaCounts = new Map(types.map((t) => [t.code, t.vintages.length ? t.vintages.at(-1).count : 0]));
  map = L.map("map", { preferCanvas: true, zoomSnap: 0.25 });
  hoverTip = L.tooltip({ direction: "auto", offset: [12, 0] });
  map.on("mousemove", hoverTiles);
  map.on("mouseout", () => hoverTip.close());
  map.on("click", clickTiles);
  map.on("zoomend", showLabels);
  if (config.tile_url) L.tileLayer(config.tile_url, { attribution: config.tile_attribution }).addTo(map);
  legendControl = L.control({ position: "bottomleft" });
  legendControl.onAdd = () => L.DomUtil.create("div", "legend");
  legendControl.addTo(map);
  if (!indicators.some((i) => i.code === state.indicator)) {
    state.indicator = (indicators.find((i) => i.code === "all_crime") || indicators[0]).code;
  }
  fillIndicators();
  fillTypes(types);
  $("scheme").value = state.scheme;
  $("classes").value = String(state.classes);

  $("indicator-search").addEventListener("input", (e) => fillIndicators(e.target.value));
  $("indicator").addEventListener("change", (e) => { state.indicator = e.target.value; state.period = null; fillTypes(types); paint(); });
  $("type").addEventListener("change", (e) => { state.type = e.target.value; state.area = null; paint(); });
  $("scheme").addEventListener("change", (e) => { state.scheme = e.target.value; paint(); });
  $("classes").addEventListener("change", (e) => { state.classes = Number(e.target.value); paint(); });
  $("period").addEventListener("input", (e) => { state.period = values.legend.periods[Number(e.target.value)]; paint(); });
  $("play").addEventListener("click", () => {
    if (playing) { clearInterval(playing); playing = null; $("play").textContent = "Play"; $("play").setAttribute("aria-pressed", "false"); return; }
    $("play").textContent = "Pause";
    $("play").setAttribute("aria-pressed", "true");
    playing = setInterval(() => {
      const periods = values.legend.periods;
      state.period = periods[(periods.indexOf(state.period) + 1) % periods.length];
      paint();
    }, 1200);
  });
  $("area-search").addEventListener("change", (e) => {
    const match = /\(([^)]+)\)$/.exec(e.target.value) || [null, e.target.value.trim()];
    if (areaNames.has(match[1])) selectArea(match[1]);
  });
  $("deprived").addEventListener("change", (e) => showDeprived(e.target.checked));
  $("download-csv").addEventListener("click", downloadCsv);
  $("tab-alerts").addEventListener("click", () => showTab("alerts"));
  $("tab-profile").addEventListener("click", () => showTab("profile"));

  await paint();
  loadAlerts(openAlert).catch(() => { $("alerts").textContent = "Could not load the alerts."; });
  if (state.area) selectArea(state.area);
}

// A read-only window on the map's state, for the end-to-end tests and the benchmark.
// In tile mode, areas are those drawn in the loaded tiles.
window.nis = {
  state: () => ({ ...state }),
  mode: () => (areaTiles ? "tiles" : areasLayer ? "geojson" : null),
  zoom: () => map.getZoom(),
  outlined: () => [...deprivedCodes],
  areas: () => (areaTiles ? areaTiles.codes().size : layers.size),
  fill: (code) => (areaTiles ? areaTiles.filled(code) : layers.get(code)?.options.fillColor ?? null),
  pointOf: (code) => {
    const layer = layers.get(code);
    const latlng = areaTiles ? areaTiles.places().get(code)?.latlng
      : layer && (layer.getCenter ? layer.getCenter() : layer.getBounds().getCenter());
    if (!latlng) return null;
    const point = map.latLngToContainerPoint(latlng);
    const box = $("map").getBoundingClientRect();
    return { x: box.left + point.x, y: box.top + point.y };
  },
};

start().catch((error) => {
  document.body.dataset.state = "failed";
  $("alerts").textContent = `The map could not start: ${error.message}`;
});
