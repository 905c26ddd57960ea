// The officers' map: pick an indicator, see the areas coloured by it, click one for its
// profile, go from an alert to the place. Plain ES module on vendored Leaflet; every
// request goes to this NIS server, through the store (lib/store.js), which drops any answer
// older than the newest request of its kind. Geometries are fetched once per area type and
// kept, by the one areas layer of the current type: GeoJSON up to the instance's
// map_tiles_above areas (geojson-areas.js), vector tiles beyond (tiles.js), both with the
// interface of area-layer.js. Changing indicator, period or classes fetches values only.

import { canSignIn, openSignIn, showAccount, viewer } from "./account.js";
import { $, api, el, request } from "./common.js";
import { GeoJsonAreas } from "./geojson-areas.js";
import { showAlerts } from "./alerts-panel.js";
import { TABS, showFailure, showGap, showLoading, showTab } from "./panel.js";
import { showCompare } from "./compare-panel.js";
import { showProfile } from "./profile-panel.js";
import { patchMaker } from "./patch-maker.js";
import { placeSearch } from "./place-search.js";
import { AreaTiles } from "./tiles.js";
import { mapTarget } from "./lib/alert-view.js";
import { printFooter } from "./lib/footer.js";
import { chooseArea } from "./lib/area-search.js";
import { defaultIndicator, groupIndicators, newestCount, typesFor } from "./lib/catalogue.js";
import { legendView } from "./lib/legend.js";
import {
  AUTH, allPeriodsPath, areaPath, comparePath, csvName, deprivationPath, downloadPaths, gapPath, geojsonName,
  profilePath, valuesPath,
} from "./lib/paths.js";
import { userMessage } from "./lib/problem.js";
import { Store } from "./lib/store.js";
import { readView, writeView } from "./lib/url-state.js";
import { areaSummary, colourOf, periodsOf } from "./lib/values.js";
import { nextPeriod, recoverView } from "./lib/view.js";

const L = window.L;

const store = new Store(api);
let map, legendControl, hoverTip, playing = null;
let areas = null; // the current type's areas layer
let labels = null; // its names, from street-level zooms
let config = { map_tiles_above: 5000 };
let indicators = [], types = [], areaCounts = new Map(); // area type -> areas in its newest vintage
let painting = 0; // paints under way (the play button can start one before another ends)
let paints = 0; // the newest paint, so that only it marks the page painted
let outlineLabel = null; // what the dashed outline is, for the legend (null: no outline)
let patches = null; // the patch maker (patch-maker.js): while picking, clicks pick areas
let alertOutline = null; // the opened alert's areas and what they are, outlined

// ------------------------------------------------------------------ render mode
// The one place that picks how a type is drawn. Counted from /api/area-types (the newest
// vintage, the areas a map shows), known before any paint, so geometries and values load
// together.
function layerFor(type) {
  return (areaCounts.get(type) || 0) > config.map_tiles_above ? AreaTiles : GeoJsonAreas;
}

// ------------------------------------------------------------------ what the user is told
// The notice under the controls: why the page could not do what was asked, in the server's
// words (problem details), as text.
function tell(error, what) {
  notify(`${what}: ${userMessage(error)}`);
}

function notify(text) {
  const notice = $("notice");
  notice.textContent = text;
  if (notice.hidden) resized(() => { notice.hidden = false; });
}

function hush() {
  const notice = $("notice");
  if (!notice.hidden) resized(() => { notice.hidden = true; notice.textContent = ""; });
}

// The notice changes the header's height, so the map's: Leaflet only watches the window.
function resized(change) {
  change();
  if (map) map.invalidateSize(); // keeps the centre
}

// ------------------------------------------------------------------ controls
function fillIndicators(filter = "") {
  const { indicator } = store.view;
  $("indicator").replaceChildren(...groupIndicators(indicators, filter).map(([label, list]) => {
    const group = document.createElement("optgroup");
    group.label = label;
    group.append(...list.map((ind) => new Option(ind.title, ind.code, false, ind.code === indicator)));
    return group;
  }));
}

function fillTypes() {
  const indicator = indicators.find((i) => i.code === store.view.indicator);
  const { allowed, type } = typesFor(types, indicator, store.view.type);
  store.set({ type });
  $("type").replaceChildren(...allowed.map((t) => new Option(t.name, t.code, false, t.code === type)));
  $("type").value = type;
}

function fillClasses() {
  $("scheme").value = store.view.scheme;
  $("classes").value = String(store.view.classes);
}

function fillPeriods(periods, period) {
  const slider = $("period");
  slider.max = Math.max(periods.length - 1, 0);
  slider.value = Math.max(periods.indexOf(period), 0);
  slider.disabled = periods.length < 2;
  $("play").disabled = periods.length < 2;
  $("period-label").textContent = period || "no data";
  slider.setAttribute("aria-valuetext", period || "no data");
}

const offered = (select) => [...$(select).options].map((o) => o.value);

// A control changed the view: say nothing more about an earlier failure, and paint.
function choose(patch) {
  hush();
  store.set(patch);
  paint();
}

// ------------------------------------------------------------------ the map
function markPainted() {
  document.body.dataset.paintedAt = String(Math.round(performance.now()));
  document.body.dataset.state = "painted";
}

function writeHash() {
  history.replaceState(null, "", `#${writeView(store.view)}`);
}

// Paint the store's view: its values, and a new layer if its type changed. Resolves to
// "painted", "superseded" (a newer view was asked for: that one paints) or "failed" (the
// notice says why, starting with `failure`).
async function paint(failure = "The map could not be painted") {
  const view = store.view;
  const mine = ++paints;
  const started = performance.now();
  document.body.dataset.state = "loading";
  painting += 1;
  try {
    const answer = await store.latest("view", async (signal) => {
      const [values] = await Promise.all([store.values(valuesPath(view), signal), useLayer(view, signal)]);
      return values;
    });
    if (!answer.current) return "superseded";
    show(answer.value, view);
    // In tile mode, painted means every tile in view is drawn with these values.
    await areas.drawn();
    if (mine !== paints) return "superseded";
    // Marks for the end-to-end tests and the paint benchmark.
    document.body.dataset.paintMs = String(Math.round(performance.now() - started));
    markPainted();
    return "painted";
  } catch (error) {
    if (mine !== paints) return "superseded";
    tell(error, failure);
    document.body.dataset.state = "failed";
    return "failed";
  } finally {
    painting -= 1;
  }
}

// The answer for the view is the newest: the map, legend, slider, links and URL show it.
function show(values, view) {
  const { legend } = values;
  store.shown = values;
  store.set({ period: legend.period });
  hoverTip.close(); // it told the values shown before; the next hover tells these
  // Tiles already decoded are recoloured here; those still on their way, when they come.
  areas.repaint();
  fillPeriods(legend.periods, legend.period);
  drawLegend(legend);
  if (!$("gap").hidden) loadGap();
  if (!$("compare").hidden) loadCompare();
  const links = downloadPaths(store.view);
  $("download-geojson").href = links.geojson;
  $("download-geojson").download = geojsonName(store.view);
  $("export-html").href = links.html;
  $("export-png").href = links.png;
  $("download-all-long").href = allPeriodsPath(store.view, "csv", "long");
  $("download-all-wide").href = allPeriodsPath(store.view, "csv", "wide");
  $("download-all-gpkg").href = allPeriodsPath(store.view, "gpkg", "long");
  if (view.area) areas.select(view.area);
  writeHash();
}

// The layer of the view's type, made (from its geometry, fetched once per type) unless it
// is the current one. Made before the values come: tiles are fetched and decoded while the
// values are on their way, and drawn once they are there.
async function useLayer(view, signal) {
  if (areas && areas.options.type === view.type) return;
  const Layer = layerFor(view.type);
  const data = await store.kept(Layer.source(view.type, areaCounts.get(view.type) || 0));
  const layer = new Layer({ type: view.type, data, fill: (code) => colourOf(store.shown, code) });
  const focus = view.area ? layer.boundsOf(view.area) ?? (await serverBounds(view.area, view.type, signal)) : null;
  if (signal.aborted) return; // a newer view makes its own
  replaceLayer(layer);
  // Settle the view first (no animation), so that only the tiles it shows are fetched.
  if (focus) map.fitBounds(focus, { maxZoom: 14, animate: false });
  else if (!view.area || !viewSet()) map.fitBounds(layer.bounds(), { animate: false });
  layer.addTo(map);
  if ($("deprived").checked) showDeprived(true);
}

function replaceLayer(layer) {
  if (areas) areas.remove();
  if (labels) labels.remove();
  labels = null;
  hoverTip.close();
  areas = layer;
  layer.on("loading", () => { if (!painting) document.body.dataset.state = "loading"; });
  layer.on("load", () => {
    showLabels();
    if (!painting) markPainted();
  });
  layer.on("areahover", ({ code, name, latlng }) => {
    hoverTip.setLatLng(latlng).setContent(hoverContent(code, name));
    if (!hoverTip.isOpen()) hoverTip.openOn(map);
  });
  layer.on("areaout", () => hoverTip.close());
  layer.on("areaclick", ({ code }) => (patches?.picking() ? patches.toggle(code) : selectArea(code)));
}

function viewSet() {
  try { map.getCenter(); return true; } catch { return false; }
}

// A place chosen in the search box: its area, on the map of its type (switched to when the
// indicator is mapped by it).
function findPlace(choice) {
  const chosen = chooseArea(choice, offered("type"));
  if ("notice" in chosen) {
    notify(chosen.notice);
    return;
  }
  hush();
  selectArea(chosen.area, chosen.type);
}

// Names where there is room to read them: only from street-level zooms, each at a point
// well inside its area (in tile mode, the areas of the loaded tiles).
function showLabels() {
  if (labels) labels.remove();
  labels = null;
  if (!areas || map.getZoom() < 14) return;
  const label = ({ name, latlng }) => L.marker(latlng, {
    icon: L.divIcon({ className: "area-label", html: el("span", name), iconSize: null }), interactive: false,
  });
  labels = L.layerGroup([...areas.places().values()].map(label)).addTo(map);
}

function drawLegend(legend) {
  const { heading, rows, note, marking } = legendView(legend, { offersSignIn: canSignIn() });
  const list = el("ul");
  list.append(...rows.map(({ colour, label, why, signIn }) => {
    const swatch = el("span", "", "swatch");
    swatch.style.background = colour;
    const item = el("li");
    item.append(swatch, el("span", label, "label"));
    if (why) item.append(" ", el("span", why, "why"));
    if (signIn) {
      const offer = el("button", "Sign in", "sign-in-offer");
      offer.type = "button";
      offer.addEventListener("click", openSignIn);
      item.append(" ", offer);
    }
    return item;
  }));
  if (outlineLabel) {
    const swatch = el("span", "", "swatch outline");
    const item = el("li");
    item.id = "legend-outline";
    item.append(swatch, outlineLabel);
    list.append(item);
  }
  const parts = [el("h2", heading), list, el("p", note, "why")];
  if (legend.estimated) {
    const estimated = el("p", legend.estimated, "why");
    estimated.id = "legend-estimated";
    parts.push(estimated);
  }
  if (marking) parts.unshift(el("p", marking, "marking"));
  legendControl.getContainer().replaceChildren(...parts);
}

function hoverContent(code, name) {
  const { lines } = areaSummary(store.shown, code, name, store.view);
  const content = el("div");
  content.append(el("strong", name), ` (${code})`);
  for (const line of lines) content.append(el("br"), line);
  return content;
}

// The city's most deprived fifth of the current type's areas by its own IMD ranking (the
// gap view's group), outlined, with a legend entry saying what and how many.
async function showDeprived(on) {
  const layer = areas;
  if (!layer) return;
  if (!on) {
    store.cancel("deprived");
    layer.outline([]);
    setOutlineLabel(null);
    return;
  }
  const type = layer.options.type;
  try {
    const answer = await store.latest("deprived", (signal) => store.json(deprivationPath(type), signal));
    if (answer.current && areas === layer) {
      layer.outline(answer.value.codes);
      setOutlineLabel(answer.value.label);
    }
  } catch (error) {
    setOutlineLabel(null);
    tell(error, "The most deprived areas could not be outlined");
  }
}

function setOutlineLabel(label) {
  outlineLabel = label;
  if (store.shown) drawLegend(store.shown.legend);
}

// The gap view of the current indicator (the finest area type the city ranks).
async function loadGap() {
  const code = store.view.indicator;
  try {
    const answer = await store.latest("gap", (signal) => store.json(gapPath(code), signal));
    if (answer.current) showGap(answer.value);
  } catch (error) {
    showFailure("gap", "The gap for this indicator could not be shown", error);
  }
}

// Every area of the map's type for its indicator and period, with intervals, sortable; the
// selected area highlighted.
async function loadCompare() {
  const view = store.view;
  try {
    const answer = await store.latest("compare", (signal) => store.json(comparePath(view), signal));
    if (answer.current) showCompare(answer.value, { selected: store.view.area, onArea: (code) => selectArea(code) });
  } catch (error) {
    showFailure("compare", "The areas could not be compared", error);
  }
}

// Where an area is, from the areas API (when the layer cannot tell: tiles out of view).
async function serverBounds(code, type, signal) {
  const feature = await store.json(areaPath(code, type), signal).catch(() => null);
  return feature ? L.geoJSON(feature).getBounds() : null;
}

// Select an area: zoom to it, outline it, show its profile (headed by the charts of an
// alert's indicators when it comes from one: `alert`).
async function selectArea(code, type, alert = null) {
  type = type || store.view.type; // an alert of no area type: the current one
  store.set({ area: code });
  if (type !== store.view.type) {
    store.set({ type });
    $("type").value = type;
    await paint();
  }
  showLoading();
  try {
    const answer = await store.latest("area", async (signal) => {
      const bounds = areas?.boundsOf(code) ?? (await serverBounds(code, type, signal));
      if (signal.aborted) return null; // another area was chosen
      if (bounds) map.fitBounds(bounds, { maxZoom: 14 });
      areas?.select(code);
      writeHash();
      return store.json(profilePath(code), signal);
    });
    if (answer.current) showProfile(answer.value, profileContext(alert));
  } catch (error) {
    showFailure("profile", "This area's profile could not be loaded", error);
  }
}

// What the profile panel needs beside the profile: how to open an alert, the catalogue
// (definitions, sources, licences) and the alert it was opened from (its indicators' charts
// head the profile).
function profileContext(alert = null) {
  return { onAlert: openAlert, catalogue: indicators, alert, demo: Boolean(config.demo) };
}

// The selected area's profile again, as the viewer now sees it, on the tab that is open.
async function reloadProfile(code) {
  const tab = TABS.find((name) => !$(name).hidden) || "profile";
  try {
    const answer = await store.latest("area", (signal) => store.json(profilePath(code), signal));
    if (answer.current) {
      showProfile(answer.value, profileContext());
      showTab(tab);
    }
  } catch (error) {
    showFailure("profile", "This area's profile could not be loaded", error);
  }
}

// Opening an alert takes the map to it: its indicator, area type and window's last
// period, the alert's area (a hotspot: its whole cluster) outlined, and the area's profile
// headed by the alert's charts.
async function openAlert(alert) {
  const target = mapTarget(alert);
  const patch = { type: target.type || store.view.type };
  if (target.indicator && indicators.some((i) => i.code === target.indicator)) {
    patch.indicator = target.indicator;
    patch.period = target.period; // none: the indicator's newest
  }
  const changed = Object.entries(patch).some(([key, value]) => store.view[key] !== value);
  hush();
  if (changed) {
    store.set(patch);
    $("indicator-search").value = "";
    fillIndicators();
    fillTypes();
    await paintOrRecover("The alert's view could not be shown");
  }
  alertOutline = { codes: target.areas, label: outlineWords(alert, target.areas.length) };
  showAlertOutline();
  if (alert.area_code) await selectArea(alert.area_code, patch.type, alert);
}

function outlineWords(alert, count) {
  const what = alert.kind === "hotspot" ? "The alert's hotspot cluster" : "The alert's area";
  return count > 1 ? `${what} (${count} areas)` : what;
}

// The opened alert's areas take the dashed outline (until the deprived outline is asked
// for, or another alert is opened).
function showAlertOutline() {
  if (!areas || !alertOutline || !alertOutline.codes.length) return;
  areas.outline(alertOutline.codes);
  setOutlineLabel(alertOutline.label);
}

// ------------------------------------------------------------------ downloads
async function downloadCsv() {
  const view = store.view;
  try {
    const response = await request(downloadPaths(view).csv, { headers: { Accept: "text/csv" } });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = csvName(view);
    link.click();
  } catch (error) {
    tell(error, "The CSV could not be downloaded");
  }
}

// ------------------------------------------------------------------ the viewer
// Signed in or out: what the page shows depends on who asks (partners-only indicators,
// small numbers, alerts, profiles), so it asks again. Marked loading at once, so that
// "painted" means painted for the new viewer.
async function viewerChanged() {
  document.body.dataset.state = "loading";
  hush();
  patches?.offer(viewer());
  try {
    const answer = await store.latest("catalogue", (signal) => store.json("api/indicators", signal));
    if (!answer.current) return;
    indicators = answer.value;
  } catch (error) {
    tell(error, "The indicators could not be loaded again");
    document.body.dataset.state = "failed";
    return;
  }
  if (!indicators.some((i) => i.code === store.view.indicator)) {
    store.set({ indicator: defaultIndicator(indicators), period: null }); // no longer visible
  }
  fillIndicators($("indicator-search").value);
  fillTypes();
  await paintOrRecover("The map could not be painted");
  loadAlerts();
  if (store.view.area) reloadProfile(store.view.area);
}

// Paint the view; if the server refuses it (the notice gives its reason), the nearest view
// it can show: the newest period of the indicator if it exists, else the default one.
async function paintOrRecover(failure) {
  if ((await paint(failure)) !== "failed") return;
  const refused = writeView(store.view);
  store.set(recoverView(store.view, {
    indicators: indicators.map((i) => i.code), fallbackIndicator: defaultIndicator(indicators),
    schemes: offered("scheme"), classes: offered("classes").map(Number),
  }));
  if (writeView(store.view) !== refused) {
    fillIndicators();
    fillTypes();
    fillClasses();
    await paint();
  }
}

// Area type codes, the most areas first (the order the alerts panel lists types in).
function typesFinestFirst() {
  return types.map((t) => t.code).sort((a, b) => (areaCounts.get(b) ?? 0) - (areaCounts.get(a) ?? 0));
}

function loadAlerts() {
  store.latest("alerts", (signal) => store.json("api/alerts?limit=500", signal))
    .then((answer) => { if (answer.current) showAlerts(answer.value, openAlert, typesFinestFirst()); })
    .catch((error) => showFailure("alerts", "Could not load the alerts", error));
}

// ------------------------------------------------------------------ making a patch
// Patches are made of the finest type's areas: picking starts on their map.
async function showSmallAreas() {
  const finest = typesFinestFirst()[0];
  if (!finest || store.view.type === finest) return;
  if (offered("type").includes(finest)) $("type").value = finest;
  choose({ type: finest, area: null });
  await paint();
}

// The picked areas take the dashed outline; none picked, the usual one comes back.
function outlinePicked(codes) {
  if (!areas) return;
  if (codes.length) {
    areas.outline(codes);
    setOutlineLabel("Picked for the patch");
  } else showDeprived($("deprived").checked);
}

// A new patch: a new area type, shown with its profile.
async function showPatch(patch) {
  try {
    types = await api("api/area-types");
  } catch (error) {
    tell(error, "The area types could not be loaded again");
    return;
  }
  areaCounts = new Map(types.map((t) => [t.code, newestCount(t)]));
  fillTypes();
  await selectArea(patch.code, patch.type);
  showTab("profile");
}

// The demo says so on the page (and the printed page) in words, its exports in their footers.
function markDemo(settings) {
  if (!settings.demo) return;
  const banner = $("demo-banner");
  banner.textContent = `DEMO: ${settings.demo_notice || "the figures on this page are generated for demonstration, not real data."}`;
  resized(() => { banner.hidden = false; });
  document.body.classList.add("demo");
}

// What a printed page says at its foot: the marking of who may see it, the indicator's
// source and licence, when it was printed, and the boundaries' copyright.
function fillPrintFooter() {
  const spec = indicators.find((i) => i.code === store.view.indicator);
  const who = viewer();
  const lines = printFooter({
    marking: who.signed_in ? "Partners only — not for publication" : "Public",
    demo: Boolean(config.demo),
    source: spec ? `${spec.title}: ${spec.source} (${spec.licence})` : "",
    printed: new Date(),
    partnership: config.partnership_name,
  });
  $("print-footer").replaceChildren(...lines.map(({ text, className }) => el("p", text, className)));
}

// ------------------------------------------------------------------ start
async function start() {
  store.set(readView(location.hash));
  // A link that names the indicator and type can ask for its values while the page is still
  // reading the catalogue; the first paint takes that answer if it asks for the same.
  if (store.view.indicator && store.view.type) store.prefetch(valuesPath(store.view));
  const [settings, catalogue, areaTypes, who] = await Promise.all([
    api("api/config"), api("api/indicators"), api("api/area-types"), api(AUTH.session).catch(() => null),
  ]);
  showAccount(who, { partnership: settings.partnership_name, onChange: viewerChanged });
  config = settings;
  markDemo(settings);
  indicators = catalogue;
  types = areaTypes;
  areaCounts = new Map(types.map((t) => [t.code, newestCount(t)]));
  map = L.map("map", { preferCanvas: true, zoomSnap: 0.25 });
  hoverTip = L.tooltip({ direction: "auto", offset: [12, 0] });
  map.on("mouseout", () => hoverTip.close());
  map.on("zoomend", showLabels);
  if (config.tile_url) L.tileLayer(config.tile_url, { attribution: config.tile_attribution }).addTo(map);
  legendControl = L.control({ position: "bottomleft" });
  legendControl.onAdd = () => {
    const box = L.DomUtil.create("div", "legend");
    L.DomEvent.disableClickPropagation(box); // its sign-in offer is not a click on the map
    return box;
  };
  legendControl.addTo(map);
  // A link's indicator is asked for even if the catalogue lacks it: the server says why it
  // cannot be shown. No indicator: the default one.
  if (!store.view.indicator) store.set({ indicator: defaultIndicator(indicators) });
  fillIndicators();
  fillTypes();
  fillClasses();

  $("controls").addEventListener("submit", (e) => e.preventDefault()); // the controls act as they change
  $("indicator-search").addEventListener("input", (e) => fillIndicators(e.target.value));
  $("indicator").addEventListener("change", (e) => {
    hush();
    store.set({ indicator: e.target.value, period: null });
    fillTypes();
    paint();
  });
  $("type").addEventListener("change", (e) => choose({ type: e.target.value, area: null }));
  $("scheme").addEventListener("change", (e) => choose({ scheme: e.target.value }));
  $("classes").addEventListener("change", (e) => choose({ classes: Number(e.target.value) }));
  $("period").addEventListener("input", (e) => {
    // The slider holds the periods of the values shown; while another indicator or type is
    // on its way they may not be its periods.
    const periods = periodsOf(store.shown, store.view);
    if (periods) choose({ period: periods[Number(e.target.value)] });
  });
  $("play").addEventListener("click", () => {
    if (playing) { clearInterval(playing); playing = null; $("play").textContent = "Play"; $("play").setAttribute("aria-pressed", "false"); return; }
    $("play").textContent = "Pause";
    $("play").setAttribute("aria-pressed", "true");
    playing = setInterval(() => {
      // While a view is on its way, wait for it: the next period is the next after its own.
      const periods = periodsOf(store.shown, store.view);
      if (!periods || store.busy("view")) return;
      store.set({ period: nextPeriod(periods, store.view.period) });
      paint();
    }, 1200);
  });
  window.addEventListener("beforeprint", fillPrintFooter);
  placeSearch(store, findPlace);
  patches = patchMaker({ viewer, start: showSmallAreas, outline: outlinePicked, made: showPatch });
  patches.offer(viewer());
  $("deprived").addEventListener("change", (e) => {
    alertOutline = null;
    showDeprived(e.target.checked);
  });
  $("download-csv").addEventListener("click", downloadCsv);
  $("tab-alerts").addEventListener("click", () => showTab("alerts"));
  $("tab-profile").addEventListener("click", () => showTab("profile"));
  $("tab-gap").addEventListener("click", () => { showTab("gap"); loadGap(); });
  $("tab-compare").addEventListener("click", () => { showTab("compare"); loadCompare(); });
  $("whole-city").addEventListener("click", () => { if (areas) map.fitBounds(areas.bounds()); });

  await paintOrRecover("This link's view could not be shown");
  loadAlerts();
  if (store.view.area) selectArea(store.view.area);
}

// A read-only window on the map's state, for the end-to-end tests and the benchmark.
// In tile mode, areas are those drawn in the loaded tiles.
window.nis = {
  state: () => ({ ...store.view }),
  mode: () => areas?.mode ?? null,
  zoom: () => map.getZoom(),
  outlined: () => (areas ? areas.outlined() : []),
  areas: () => (areas ? areas.codes().size : 0),
  fill: (code) => (areas ? areas.filled(code) : null),
  pointOf: (code) => {
    const latlng = areas?.places().get(code)?.latlng;
    if (!latlng) return null;
    const point = map.latLngToContainerPoint(latlng);
    const box = $("map").getBoundingClientRect();
    return { x: box.left + point.x, y: box.top + point.y };
  },
};

start().catch((error) => {
  document.body.dataset.state = "failed";
  tell(error, "The map could not start");
});
