// An area type drawn from its GeoJSON (/api/areas, fetched once per type), for types of up to
// the instance's map_tiles_above areas: one Leaflet path per area on a canvas. The interface
// is every areas layer's (area-layer.js), so app.js treats it as it treats tiles.js's
// AreaTiles.

import { STYLE } from "./area-layer.js";
import { areasPath } from "./lib/paths.js";
import { BLANK } from "./lib/values.js";

const L = window.L;

export const GeoJsonAreas = L.Layer.extend({
  statics: {
    source: (type, count) => areasPath(type, count),
  },
  mode: "geojson",
  // type: the area type; data: its FeatureCollection; fill: code -> colour, asked again at
  // every repaint.
  options: { type: null, fill: () => BLANK },

  initialize({ data, ...options }) {
    L.Util.setOptions(this, options);
    this._paths = new Map(); // code -> its Leaflet path
    this._dashed = null; // the outlined areas' dashed copies, drawn over the fills
    this._outlined = [];
    const { weight, color } = STYLE.outline;
    this._areas = L.geoJSON(data, {
      renderer: L.canvas({ padding: 0.2 }),
      style: () => ({ weight, color, fillOpacity: STYLE.fillOpacity, fillColor: BLANK }),
      onEachFeature: (feature, path) => this._paths.set(String(feature.id), path),
    });
    // The canvas renderer finds the path under the pointer; say which area it is, as the
    // tiles do.
    const area = (e) => ({ code: String(e.propagatedFrom.feature.id), name: e.propagatedFrom.feature.properties.name, latlng: e.latlng });
    this._areas.on("mouseover mousemove", (e) => this.fire("areahover", area(e)));
    this._areas.on("mouseout", () => this.fire("areaout"));
    this._areas.on("click", (e) => this.fire("areaclick", area(e)));
  },

  onAdd(map) {
    this._areas.addTo(map);
    if (this._dashed) this._dashed.addTo(map);
    this.fire("load"); // every area is drawn with the layer
  },

  onRemove() {
    this._areas.remove();
    if (this._dashed) this._dashed.remove();
  },

  repaint() {
    for (const [code, path] of this._paths) path.setStyle({ fillColor: this.options.fill(code) });
  },

  select(code) {
    const { outline, selected } = STYLE;
    for (const [other, path] of this._paths) path.setStyle(other === code ? selected : outline);
    this._paths.get(code)?.bringToFront();
  },

  outline(codes) {
    if (this._dashed) this._dashed.remove();
    this._outlined = codes.filter((code) => this._paths.has(code));
    const { weight, color, dashArray } = STYLE.deprived;
    const style = { weight, color, fill: false, dashArray: dashArray.join(" ") };
    // On the areas' own canvas: a canvas of their own would lie over the areas' and take
    // every click and hover meant for them.
    const renderer = this._areas.options.renderer;
    this._dashed = this._outlined.length
      ? L.featureGroup(this._outlined.map((code) => L.geoJSON(this._paths.get(code).feature, { interactive: false, style, renderer })))
      : null;
    if (this._dashed && this._map) this._dashed.addTo(this._map);
  },
  outlined() {
    return [...this._outlined];
  },

  bounds() {
    return this._areas.getBounds();
  },
  boundsOf(code) {
    return this._paths.get(code)?.getBounds() ?? null;
  },

  drawn() {
    return Promise.resolve(); // drawn as it is added and restyled
  },

  // Each area: its name and a point inside it (the polygon's centre, as Leaflet finds it).
  places() {
    const places = new Map();
    if (!this._map) return places;
    for (const [code, path] of this._paths) {
      places.set(code, { name: path.feature.properties.name, latlng: path.getCenter ? path.getCenter() : path.getBounds().getCenter() });
    }
    return places;
  },

  codes() {
    return new Set(this._paths.keys());
  },

  filled(code) {
    return this._paths.get(code)?.options.fillColor ?? null;
  },
});
