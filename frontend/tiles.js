// An area type drawn from its vector tiles (/tiles/{type}/{z}/{x}/{y}.mvt: geometry, code and
// name only, the same for every indicator and period), for types too big to fetch as GeoJSON.
// Each tile is fetched and decoded once; its features are kept with the tile, so a new set
// of values recolours every loaded tile without touching the network. Hover and click find
// the area under the pointer by point-in-polygon on the decoded geometry. The interface is
// every areas layer's (area-layer.js); geojson-areas.js is the other mode.

import { VectorTile } from "@mapbox/vector-tile";
import { PbfReader } from "pbf";
import { STYLE } from "./area-layer.js";
import { tileJsonPath } from "./lib/paths.js";

const L = window.L;
const keyOf = ({ x, y, z }) => `${x}:${y}:${z}`;

// One decoded feature of a tile: its area's code and name, its rings in the tile's CSS pixels
// (flat x, y arrays; a MultiPolygon's parts and holes all together, filled even-odd), their
// bounding box and a Path2D of them, built once.
function decode(buffer, layerName, size) {
  const layer = new VectorTile(new PbfReader(new Uint8Array(buffer))).layers[layerName];
  const features = [];
  if (!layer) return features; // an empty tile (no area of the type there)
  for (let i = 0; i < layer.length; i++) {
    const feature = layer.feature(i);
    if (feature.type !== 3) continue; // polygons only
    const scale = size / feature.extent;
    const path = new Path2D();
    const rings = [];
    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const points of feature.loadGeometry()) {
      const ring = new Float32Array(points.length * 2);
      points.forEach((p, k) => {
        const x = p.x * scale;
        const y = p.y * scale;
        ring[2 * k] = x;
        ring[2 * k + 1] = y;
        if (k === 0) path.moveTo(x, y); else path.lineTo(x, y);
        minX = Math.min(minX, x); maxX = Math.max(maxX, x);
        minY = Math.min(minY, y); maxY = Math.max(maxY, y);
      });
      path.closePath();
      rings.push(ring);
    }
    const { code, name } = feature.properties;
    features.push({ code: String(code), name: String(name), rings, box: [minX, minY, maxX, maxY], path });
  }
  return features;
}

// Even-odd point-in-polygon over every ring of a feature (as it is filled).
function contains(feature, x, y) {
  const [minX, minY, maxX, maxY] = feature.box;
  if (x < minX || x > maxX || y < minY || y > maxY) return false;
  let inside = false;
  for (const ring of feature.rings) {
    for (let i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
      const [xi, yi, xj, yj] = [ring[i], ring[i + 1], ring[j], ring[j + 1]];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

// The widest stretch of the feature along a few horizontal lines, clipped to the tile:
// a point well inside it (for labels and for tests that point at an area).
function interior(feature, size) {
  const [, minY, , maxY] = feature.box;
  let best = null;
  for (const f of [0.5, 0.3, 0.7, 0.15, 0.85]) {
    const y = minY + (maxY - minY) * f;
    if (y <= 0 || y >= size) continue;
    const xs = [];
    for (const ring of feature.rings) {
      for (let i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
        const [xi, yi, xj, yj] = [ring[i], ring[i + 1], ring[j], ring[j + 1]];
        if (yi > y !== yj > y) xs.push(((xj - xi) * (y - yi)) / (yj - yi) + xi);
      }
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const [from, to] = [Math.max(xs[k], 0), Math.min(xs[k + 1], size)];
      if (to - from > (best ? best.width : 0)) best = { x: (from + to) / 2, y, width: to - from };
    }
  }
  return best;
}

export const AreaTiles = L.GridLayer.extend({
  statics: {
    source: (type) => tileJsonPath(type),
  },
  mode: "tiles",
  // type: the area type (the tiles' layer name); data: its TileJSON (template, bounds, zooms);
  // fill: code -> colour, asked again at every repaint.
  options: { type: null, url: null, fill: () => "#fff", tileSize: 256, maxNativeZoom: 16, noWrap: true },

  initialize({ data, ...options }) {
    const [west, south, east, north] = data.bounds;
    this._extent = L.latLngBounds([south, west], [north, east]);
    L.GridLayer.prototype.initialize.call(this, {
      ...options, url: data.tiles[0], bounds: this._extent.pad(0.05), maxNativeZoom: data.maxzoom,
    });
    this._decoded = new Map(); // tile key -> { canvas, coords, features, outlines }
    this._aborts = new Map(); // tile key -> AbortController of its request
    this._filled = new Map(); // code -> the colour it was last drawn with
    this._selected = null;
    this._hovered = null; // the area last under the pointer, to say when it leaves
    this._outlined = new Set();
    this._coloured = false; // no fill to draw with until the first repaint()
    this.on("tileunload", ({ coords }) => {
      const key = keyOf(coords);
      this._aborts.get(key)?.abort();
      this._aborts.delete(key);
      this._decoded.delete(key);
    });
  },

  createTile(coords, done) {
    const size = this.getTileSize();
    const canvas = document.createElement("canvas");
    const ratio = window.devicePixelRatio || 1;
    canvas.width = size.x * ratio;
    canvas.height = size.y * ratio;
    const key = keyOf(coords);
    const abort = new AbortController();
    this._aborts.set(key, abort);
    const url = L.Util.template(this.options.url, { z: coords.z, x: coords.x, y: coords.y });
    fetch(url, { signal: abort.signal })
      .then((response) => {
        if (!response.ok) throw new Error(`${url}: ${response.status}`);
        return response.arrayBuffer();
      })
      .then((buffer) => {
        if (abort.signal.aborted) return;
        const features = decode(buffer, this.options.type, size.x);
        const outlines = new Path2D(); // the same whatever the values
        for (const feature of features) outlines.addPath(feature.path);
        const tile = { canvas, coords, features, outlines };
        this._decoded.set(key, tile);
        this._draw(tile);
        done(null, canvas);
      })
      .catch((error) => {
        if (!abort.signal.aborted) done(error, canvas);
      })
      .finally(() => this._aborts.delete(key));
    return canvas;
  },

  // Colour every loaded tile from options.fill (new values): no request is made. Tiles that
  // come before the first call are decoded and kept, and drawn by it.
  repaint() {
    this._coloured = true;
    this._redraw();
  },

  // Outline one area boldly (null: none), and a set of areas dashed (the most deprived).
  select(code) {
    this._selected = code;
    this._redraw();
  },
  outline(codes) {
    this._outlined = new Set(codes);
    this._redraw();
  },
  outlined() {
    return [...this._outlined];
  },

  // The type's extent (from its TileJSON). An area's own bounds are not in the tiles (each
  // holds only its clipped piece): null, so the page asks the server.
  bounds() {
    return this._extent;
  },
  boundsOf() {
    return null;
  },

  // Hover and click come from the map: the area under the pointer, from the decoded tiles.
  getEvents() {
    return { ...L.GridLayer.prototype.getEvents.call(this), mousemove: this._pointer, click: this._click };
  },

  onRemove(map) {
    map.getContainer().style.cursor = "";
    L.GridLayer.prototype.onRemove.call(this, map);
  },

  _pointer(e) {
    const area = this.featureAt(e.latlng);
    this._map.getContainer().style.cursor = area ? "pointer" : "";
    if (area) this.fire("areahover", { ...area, latlng: e.latlng });
    else if (this._hovered) this.fire("areaout");
    this._hovered = area;
  },

  _click(e) {
    const area = this.featureAt(e.latlng);
    if (area) this.fire("areaclick", { ...area, latlng: e.latlng });
  },

  _redraw() {
    this._filled.clear();
    for (const tile of this._decoded.values()) this._draw(tile);
  },

  // A promise kept once every tile in view has been fetched, decoded and drawn.
  drawn() {
    if (!this._map || !this.isLoading()) return Promise.resolve();
    return new Promise((resolve) => this.once("load", () => resolve()));
  },

  _draw({ canvas, features, outlines }) {
    if (!this._coloured) return;
    const ratio = canvas.width / this.getTileSize().x;
    const ctx = canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    // One fill per colour: a class's areas together (far fewer draw calls than areas).
    const groups = new Map();
    for (const feature of features) {
      const colour = this.options.fill(feature.code);
      this._filled.set(feature.code, colour);
      if (!groups.has(colour)) groups.set(colour, new Path2D());
      groups.get(colour).addPath(feature.path);
    }
    ctx.globalAlpha = STYLE.fillOpacity;
    for (const [colour, path] of groups) {
      ctx.fillStyle = colour;
      ctx.fill(path, "evenodd");
    }
    ctx.globalAlpha = 1;
    ctx.lineJoin = "round";
    this._stroke(ctx, outlines, STYLE.outline);
    if (this._outlined.size) {
      const dashed = new Path2D();
      for (const f of features) if (this._outlined.has(f.code)) dashed.addPath(f.path);
      this._stroke(ctx, dashed, STYLE.deprived);
    }
    const selected = features.filter((f) => f.code === this._selected);
    if (selected.length) {
      const bold = new Path2D();
      for (const f of selected) bold.addPath(f.path);
      this._stroke(ctx, bold, STYLE.selected);
    }
  },

  _stroke(ctx, path, { weight, color, dashArray = [] }) {
    ctx.lineWidth = weight;
    ctx.strokeStyle = color;
    ctx.setLineDash(dashArray);
    ctx.stroke(path);
  },

  // The tile under a map point at the zoom tiles are drawn at, and the point in its pixels.
  _tileAt(latlng) {
    const z = this._tileZoom;
    if (z === undefined) return null;
    const size = this.getTileSize();
    const p = this._map.project(latlng, z);
    const [x, y] = [Math.floor(p.x / size.x), Math.floor(p.y / size.y)];
    const tile = this._decoded.get(keyOf({ x, y, z }));
    return tile ? { tile, x: p.x - x * size.x, y: p.y - y * size.y } : null;
  },

  // The area under a map point: { code, name }, or null (none, or its tile not loaded).
  featureAt(latlng) {
    const at = this._tileAt(latlng);
    if (!at) return null;
    // Last drawn is on top; areas do not overlap, but enclaves sit inside their holes.
    for (let i = at.tile.features.length - 1; i >= 0; i--) {
      const feature = at.tile.features[i];
      if (contains(feature, at.x, at.y)) return { code: feature.code, name: feature.name };
    }
    return null;
  },

  // Each area in the loaded tiles, once: its name and a point well inside it (the widest
  // stretch over all its pieces), for labels and tests.
  places() {
    const size = this.getTileSize();
    const best = new Map();
    for (const { coords, features } of this._decoded.values()) {
      if (coords.z !== this._tileZoom) continue; // tiles kept while zooming
      for (const feature of features) {
        const point = interior(feature, size.x);
        if (!point || (best.get(feature.code)?.width ?? 0) >= point.width) continue;
        const pixel = L.point(coords.x * size.x + point.x, coords.y * size.y + point.y);
        best.set(feature.code, { name: feature.name, width: point.width,
          latlng: this._map.unproject(pixel, coords.z) });
      }
    }
    return best;
  },

  // The colour an area was last drawn with (null: not in a loaded tile).
  filled(code) {
    return this.codes().has(code) ? this._filled.get(code) ?? null : null;
  },

  // The areas drawn in the tiles of the current zoom.
  codes() {
    const codes = new Set();
    for (const { coords, features } of this._decoded.values()) {
      if (coords.z === this._tileZoom) for (const f of features) codes.add(f.code);
    }
    return codes;
  },
});
