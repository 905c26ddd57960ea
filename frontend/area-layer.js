// What every areas layer shares: how areas are drawn, and the interface app.js relies on, so
// that the page holds one layer whatever the render mode (GeoJSON, tiles.js's vector tiles).
//
//   Layer.source(type, count)    the path of the type's geometry (GeoJSON, or TileJSON)
//   new Layer({ type, data, fill })  data: that path's answer; fill: code -> colour
//   layer.mode                   "geojson" | "tiles"
//   layer.options.type           the area type drawn
//   addTo(map), remove()         as any Leaflet layer
//   repaint()                    fill every area again from fill() (new values): no request
//   select(code | null)          outline one area boldly
//   outline(codes), outlined()   dash the outlines of a set of areas (the most deprived)
//   bounds(), boundsOf(code)     of every area; of one (null: the layer cannot tell, ask the server)
//   drawn()                      a promise kept once every area in view is drawn
//   places(), codes(), filled(code)  the areas drawn, a point inside each, each one's colour
//   events  "loading", "load"    drawing started / every area in view drawn
//           "areahover" { code, name, latlng }, "areaout", "areaclick" { code, name, latlng }

export const STYLE = {
  fillOpacity: 0.85,
  outline: { weight: 0.6, color: "#555" },
  selected: { weight: 3, color: "#000" },
  deprived: { weight: 2.5, color: "#6a3d9a", dashArray: [4, 3] },
};
