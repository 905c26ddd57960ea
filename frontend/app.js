// The officers' map: pick an indicator, see the areas coloured by it, click one for its
// profile, go from an alert to the place. Plain ES module on vendored Leaflet; every
// request goes to this NIS server. Geometries are fetched once per area type and kept;
// changing indicator, period or classes fetches values only.

const L = window.L;
const $ = (id) => document.getElementById(id);
const api = async (path, options) => {
  const response = await fetch(path, options);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
};

const state = { indicator: null, type: null, period: null, scheme: "quantiles", classes: 5, area: null };
const geometryCache = new Map(); // area type -> GeoJSON FeatureCollection
const layers = new Map(); // area code -> Leaflet layer (current type)
let map, areasLayer, labelsLayer, deprivedLayer, legendControl, values, indicators = [], playing = null;
let toggleLabels = null;

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

async function drawAreas() {
  const collection = await geometries(state.type);
  if (areasLayer && areasLayer.options.nisType === state.type) return;
  if (areasLayer) areasLayer.remove();
  layers.clear();
  areasLayer = L.geoJSON(collection, {
    nisType: state.type,
    renderer: L.canvas({ padding: 0.2 }),
    style: () => ({ weight: 0.6, color: "#555", fillOpacity: 0.85, fillColor: "#fff" }),
    onEachFeature: (feature, layer) => {
      layers.set(feature.id, layer);
      layer.on("mouseover", () => hover(feature, layer));
      layer.on("click", () => selectArea(feature.id));
    },
  }).addTo(map);
  $("area-names").replaceChildren(...collection.features.map((f) => new Option(`${f.properties.name} (${f.id})`)));
  drawLabels(collection);
  if (!state.area) map.fitBounds(areasLayer.getBounds());
}

function drawLabels(collection) {
  // Names where there is room to read them: only from street-level zooms.
  if (labelsLayer) labelsLayer.remove();
  labelsLayer = L.layerGroup(collection.features.map((f) => L.marker(
    layers.get(f.id).getBounds().getCenter(),
    { icon: L.divIcon({ className: "area-label", html: escapeHtml(f.properties.name), iconSize: null }), interactive: false },
  )));
  if (toggleLabels) map.off("zoomend", toggleLabels);
  toggleLabels = () => (map.getZoom() >= 14 ? labelsLayer.addTo(map) : labelsLayer.remove());
  map.on("zoomend", toggleLabels);
  toggleLabels();
}

async function paint() {
  const started = performance.now();
  document.body.dataset.state = "loading";
  await drawAreas();
  const query = new URLSearchParams({ type: state.type, scheme: state.scheme, classes: state.classes, geometry: "false" });
  if (state.period) query.set("period", state.period);
  values = await api(`api/maps/${encodeURIComponent(state.indicator)}?${query}`);
  const legend = values.legend;
  state.period = legend.period;
  for (const [code, layer] of layers) {
    const props = values.areas[code];
    layer.setStyle({ fillColor: props ? props.colour : legend.no_data.colour });
  }
  fillPeriods(legend.periods);
  drawLegend(legend);
  const view = new URLSearchParams({ type: state.type, scheme: state.scheme, classes: state.classes, ...(state.period ? { period: state.period } : {}) });
  const base = `api/maps/${encodeURIComponent(state.indicator)}`;
  $("download-geojson").href = `${base}?${view}`;
  $("export-html").href = `${base}/export.html?${view}`;
  $("export-png").href = `${base}/export.png?${view}`;
  if (state.area) highlight(state.area);
  writeHash();
  // Marks for the end-to-end tests and the paint benchmark.
  document.body.dataset.paintMs = String(Math.round(performance.now() - started));
  document.body.dataset.paintedAt = String(Math.round(performance.now()));
  document.body.dataset.state = "painted";
}

function format(value, legend) {
  if (value === null || value === undefined) return "no value";
  const unit = legend.indicator.unit ? ` ${legend.indicator.unit}` : "";
  return `${Number(value).toLocaleString("en-GB", { maximumFractionDigits: 2 })}${unit}`;
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

function hover(feature, layer) {
  if (!values) return;
  const props = values.areas[feature.id];
  const legend = values.legend;
  let text = `<strong>${escapeHtml(feature.properties.name)}</strong> (${feature.id})<br>`;
  text += props && props.status === "suppressed" ? "suppressed (small count)" : format(props && props.value, legend);
  if (props && props.value !== null && legend.city) text += `<br>${escapeHtml(legend.city.what)}: ${format(legend.city.value, legend)}`;
  layer.bindTooltip(text, { sticky: true }).openTooltip();
}

function highlight(code) {
  for (const [other, layer] of layers) layer.setStyle({ weight: other === code ? 3 : 0.6, color: other === code ? "#000" : "#555" });
  const layer = layers.get(code);
  if (layer) layer.bringToFront();
}

async function showDeprived(on) {
  if (deprivedLayer) { deprivedLayer.remove(); deprivedLayer = null; }
  if (!on) return;
  const decile = await api(`api/maps/imd_decile?type=${encodeURIComponent(state.type)}&geometry=false`).catch(() => null);
  if (!decile) return;
  const codes = Object.entries(decile.areas).filter(([, p]) => p.value === 1).map(([code]) => code);
  deprivedLayer = L.featureGroup(codes.filter((c) => layers.has(c)).map((c) =>
    L.geoJSON(layers.get(c).feature, { interactive: false, style: { weight: 2.5, color: "#6a3d9a", fill: false, dashArray: "4 3" } }))).addTo(map);
}

// ------------------------------------------------------------------ profile and alerts
function showTab(name) {
  for (const tab of ["alerts", "profile"]) {
    $(tab).hidden = tab !== name;
    $(`tab-${tab}`).setAttribute("aria-selected", String(tab === name));
  }
}

function sparkline(series, width = 120, height = 28) {
  const points = series.map((p, i) => [i, p.value]).filter(([, v]) => v !== null);
  if (points.length < 2) return "";
  const ys = points.map(([, v]) => v);
  const [lo, hi] = [Math.min(...ys), Math.max(...ys)];
  const x = (i) => (i / (series.length - 1)) * (width - 4) + 2;
  const y = (v) => height - 2 - ((v - lo) / (hi - lo || 1)) * (height - 4);
  const path = points.map(([i, v]) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  return `<svg width="${width}" height="${height}" role="img" aria-label="${series[0].period} to ${series.at(-1).period}"><polyline fill="none" stroke="#08519c" stroke-width="1.5" points="${path}"/></svg>`;
}

async function selectArea(code, type = state.type) {
  state.area = code;
  if (type !== state.type) { state.type = type; $("type").value = type; await paint(); }
  const layer = layers.get(code);
  if (layer) map.fitBounds(layer.getBounds(), { maxZoom: 14 });
  highlight(code);
  writeHash();
  await showProfile(code);
}

async function showProfile(code) {
  showTab("profile");
  const section = $("profile");
  section.innerHTML = "<p>Loading…</p>";
  const profile = await api(`api/areas/${encodeURIComponent(code)}/profile`);
  const badge = (b) => {
    const label = b ? b.label : "not compared";
    const cls = ["better", "similar", "worse"].includes(label) ? label : "other";
    return `<span class="badge ${cls}">${escapeHtml(label)}</span>`;
  };
  const rows = profile.indicators.map((e) => `<tr><th scope="row">${escapeHtml(e.indicator.title)}</th>
    <td>${e.suppressed ? "suppressed" : format(e.value, { indicator: e.indicator })}<br><small>${escapeHtml(e.period)}</small></td>
    <td>${badge(e.benchmark)}</td><td>${sparkline(e.series)}</td></tr>`);
  section.innerHTML = `<h2>${escapeHtml(profile.area.name)} <small>(${escapeHtml(profile.area.code)})</small></h2>
    ${alertList(profile.alerts)}
    <table class="profile"><thead><tr><th>Indicator</th><th>Latest</th><th>Against the city</th><th>Recent</th></tr></thead>
    <tbody>${rows.join("")}</tbody></table>`;
  bindAlerts(section);
}

function alertList(alerts) {
  if (!alerts.length) return "<p>No alerts.</p>";
  return alerts.map((a, i) => `<button type="button" class="alert ${a.kind}" data-index="${i}" data-area="${escapeHtml(a.area_code || "")}"
    data-type="${escapeHtml(a.area_type || "")}" data-indicators="${escapeHtml(a.indicators.join(","))}">
    <span class="kind">${escapeHtml(a.kind)}</span>: ${escapeHtml(a.sentence)}</button>`).join("");
}

function bindAlerts(container) {
  for (const button of container.querySelectorAll("button.alert")) {
    button.addEventListener("click", () => openAlert(button.dataset));
  }
}

async function openAlert({ area, type, indicators: codes }) {
  if (!area) return;
  await selectArea(area, type);
  const charts = await Promise.all(codes.split(",").map(async (code) => {
    const data = await api(`api/observations?indicator=${encodeURIComponent(code)}&type=${encodeURIComponent(type)}&area=${encodeURIComponent(area)}`).catch(() => null);
    if (!data) return "";
    const series = data.observations.slice(-36).map((o) => ({ period: o.period, value: o.value }));
    return `<figure><figcaption>${escapeHtml(data.indicator.title)}</figcaption>${sparkline(series, 320, 70)}</figure>`;
  }));
  $("profile").insertAdjacentHTML("afterbegin", `<div class="charts" id="alert-charts">${charts.join("")}</div>`);
}

async function loadAlerts() {
  const body = await api("api/alerts?limit=200");
  const order = { correlated: 0, deterioration: 1, hotspot: 2, gap: 3 };
  const alerts = body.alerts.sort((a, b) => order[a.kind] - order[b.kind]);
  $("alerts").innerHTML = body.run === null ? "<p>No analysis has run yet.</p>"
    : `<p>${alerts.length} alerts from analysis run ${body.run}, correlated first.</p>${alertList(alerts)}`;
  bindAlerts($("alerts"));
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

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// ------------------------------------------------------------------ start
async function start() {
  readHash();
  const [config, catalogue, types] = await Promise.all([api("api/config"), api("api/indicators"), api("api/area-types")]);
  indicators = catalogue;
  areaCounts = new Map(types.map((t) => [t.code, Math.max(0, ...t.vintages.map((v) => v.count))]));
  map = L.map("map", { preferCanvas: true, zoomSnap: 0.25 });
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
    if (layers.has(match[1])) selectArea(match[1]);
  });
  $("deprived").addEventListener("change", (e) => showDeprived(e.target.checked));
  $("download-csv").addEventListener("click", downloadCsv);
  $("tab-alerts").addEventListener("click", () => showTab("alerts"));
  $("tab-profile").addEventListener("click", () => showTab("profile"));

  await paint();
  loadAlerts().catch(() => { $("alerts").textContent = "Could not load the alerts."; });
  if (state.area) selectArea(state.area);
}

// A read-only window on the map's state, for the end-to-end tests and the benchmark.
window.nis = {
  state: () => ({ ...state }),
  areas: () => layers.size,
  fill: (code) => layers.get(code)?.options.fillColor ?? null,
  pointOf: (code) => {
    const layer = layers.get(code);
    if (!layer) return null;
    const point = map.latLngToContainerPoint(layer.getCenter ? layer.getCenter() : layer.getBounds().getCenter());
    const box = $("map").getBoundingClientRect();
    return { x: box.left + point.x, y: box.top + point.y };
  },
};

start().catch((error) => {
  document.body.dataset.state = "failed";
  $("alerts").textContent = `The map could not start: ${error.message}`;
});
