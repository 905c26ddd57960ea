"""Exports of a map for board papers and e-mail: a standalone HTML page (folium) whose
scripts are inlined, so it opens offline, and a PNG drawn by matplotlib.

Both take the map GeoJSON that :func:`app.maps.service.indicator_map` makes, so an export
shows exactly what the page shows, suppression included.
"""

from __future__ import annotations

import html
import io
import json
from pathlib import Path
from typing import Any

LEAFLET = Path(__file__).resolve().parents[2] / "frontend" / "vendor" / "leaflet"
SOURCE_NOTE = "Neighbourhood Information System"


def title_of(legend: dict[str, Any]) -> str:
    return (
        f"{legend['indicator']['title']}, {legend['period'] or 'no data'} ({legend['area_type']})"
    )


def legend_html(legend: dict[str, Any]) -> str:
    unit = f" {legend['indicator']['unit']}" if legend["indicator"]["unit"] else ""
    rows = [
        f'<li><span style="background:{c["colour"]}"></span>{c["lower"]:,.4g} – '
        f"{c['upper']:,.4g}{html.escape(unit)} ({c['count']})</li>"
        for c in legend["classes"]
    ]
    for name, key in (("Suppressed", "suppressed"), ("No data", "no_data")):
        entry = legend[key]
        if entry["count"]:
            rows.append(
                f'<li><span style="background:{entry["colour"]}"></span>{name} '
                f"({entry['count']}): {html.escape(entry['why'])}</li>"
            )
    return (
        '<div class="nis-legend"><strong>' + html.escape(title_of(legend)) + "</strong><ul>"
        + "".join(rows) + "</ul><small>" + html.escape(legend["palette"]) + "; "
        + html.escape(legend["scheme"].replace("_", " ")) + "</small></div>"
    )  # fmt: skip


_LEGEND_CSS = """
.nis-legend { position: absolute; bottom: 1rem; left: 1rem; z-index: 1000; background: #fff;
  padding: .5rem .7rem; border: 1px solid #999; font: 13px/1.4 system-ui, sans-serif; }
.nis-legend ul { list-style: none; margin: .3rem 0; padding: 0; }
.nis-legend span { display: inline-block; width: 1.1rem; height: .8rem; margin-right: .4rem;
  border: 1px solid #777; vertical-align: middle; }
"""


def standalone_html(collection: dict[str, Any]) -> str:
    """A folium page of the map, with Leaflet inlined and no other script or tile."""
    import folium

    legend = collection["legend"]
    page = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    # Nothing from a CDN: no bootstrap, jquery or icon fonts; Leaflet is inlined below.
    page.default_js = []
    page.default_css = []
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": collection["features"]},
        name=legend["indicator"]["title"],
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#555",
                                  "weight": 0.6, "fillOpacity": 0.85},
        tooltip=folium.GeoJsonTooltip(fields=["name", "code", "value", "status"]),
    )  # fmt: skip
    layer.add_to(page)
    bounds: Any = layer.get_bounds()
    page.fit_bounds(bounds)
    root: Any = page.get_root()  # a folium Figure (typed as Element)
    root.html.add_child(folium.Element(legend_html(legend)))
    rendered = str(root.render())
    inline = (
        f"<title>{html.escape(title_of(legend))}</title>"
        f"<style>{(LEAFLET / 'leaflet.css').read_text()}{_LEGEND_CSS}</style>"
        f"<script>{(LEAFLET / 'leaflet.js').read_text()}</script>"
    )
    return rendered.replace("<head>", "<head>" + inline, 1)


def png(collection: dict[str, Any], width_px: int = 1600, dpi: int = 150) -> bytes:
    """The map drawn with its legend and title, as PNG."""
    import geopandas as gpd
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.patches import Patch

    legend = collection["legend"]
    frame = gpd.GeoDataFrame.from_features(collection["features"], crs="EPSG:4326")
    frame = frame.to_crs(27700)  # British National Grid: true shapes for a printed map
    size = width_px / dpi
    figure, axes = plt.subplots(figsize=(size, size * 0.75), dpi=dpi)
    frame.plot(ax=axes, color=frame["colour"], edgecolor="#555555", linewidth=0.3)
    axes.set_axis_off()
    axes.set_title(title_of(legend))
    unit = f" {legend['indicator']['unit']}" if legend["indicator"]["unit"] else ""
    handles = [
        Patch(facecolor=c["colour"], edgecolor="#777777",
              label=f"{c['lower']:,.4g} – {c['upper']:,.4g}{unit} ({c['count']})")
        for c in legend["classes"]
    ]  # fmt: skip
    for name, key in (("Suppressed", "suppressed"), ("No data", "no_data")):
        if legend[key]["count"]:
            handles.append(Patch(facecolor=legend[key]["colour"], edgecolor="#777777",
                                 label=f"{name} ({legend[key]['count']})"))  # fmt: skip
    axes.legend(handles=handles, loc="lower left", fontsize="small", frameon=True)
    figure.text(0.01, 0.01, f"{SOURCE_NOTE}; {legend['palette']}", fontsize="x-small")
    out = io.BytesIO()
    figure.savefig(out, format="png", bbox_inches="tight")
    plt.close(figure)
    return out.getvalue()


def parse(collection_text: str) -> dict[str, Any]:
    return dict(json.loads(collection_text))
