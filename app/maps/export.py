"""Exports of a map for board papers and e-mail: a standalone HTML page (folium) whose
scripts are inlined, so it opens offline, and a PNG drawn by matplotlib.

Both take the map GeoJSON that :func:`app.maps.service.indicator_map` makes, so an export
shows exactly what the page shows, suppression included.

A restricted view's exports carry its marking (``collection["marking"]``, from
:func:`app.access.policy.marking`: "Partners only — not for publication"): the PNG as a
banner drawn above the map, in its footer and in its ``Warning`` text chunk; the HTML page
as a banner over the map, in its legend and in its title.

Both carry the footer every report carries (:class:`app.reports.marks.Footer`): the
indicator's source, when the data last changed, the licence and copyright lines, the
marking ("Public" for the public's view) and, on the demo, DEMO. The HTML export's
tooltip shows values rounded as its legend writes them.

Names, titles and units come from partners' data, so the HTML export writes them as text:
escaped in its title and legend, and escaped in the properties its tooltips show (folium's
tooltips write them with ``innerHTML``). Its scripts are folium's and Leaflet's, inline so
that the page opens offline: its Content-Security-Policy (a ``<meta>`` in the page, and the
header it is served with) allows exactly those scripts and styles by hash, and nothing else.
"""

from __future__ import annotations

import html
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.reports.marks import DEMO, Footer
from app.security_headers import CSP, inline_hashes, policy

LEAFLET = Path(__file__).resolve().parents[2] / "frontend" / "vendor" / "leaflet"
SOURCE_NOTE = "Neighbourhood Information System"


def title_of(legend: dict[str, Any]) -> str:
    return (
        f"{legend['indicator']['title']}, {legend['period'] or 'no data'} ({legend['area_type']})"
    )


_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")
# The properties a tooltip shows; text ones are escaped, since folium writes them as HTML.
TOOLTIP_FIELDS = ("name", "code", "value", "status")


def class_label(c: dict[str, Any], unit: str) -> str:
    """A class as the page's legend writes it (``lib/legend.js`` ``classLabel``): a band's
    name ("1 (most deprived)"), one value alone ("0 crimes", not a range from 0 to 0), else from its
    smallest value to its upper bound, the unit once."""
    if c.get("label"):
        return str(c["label"])
    suffix = f" {unit}" if unit else ""
    least = c.get("least")
    start = c["lower"] if least is None else least
    if c["lower"] is None or f"{start:,.4g}" == f"{c['upper']:,.4g}":
        return f"{c['upper']:,.4g}{suffix}"
    return f"{start:,.4g} – {c['upper']:,.4g}{suffix}"


def legend_html(legend: dict[str, Any], marking: str | None = None) -> str:
    """The legend's box; its swatches' colours are classes of :func:`legend_css`, since the
    page's policy allows no ``style`` attribute."""
    unit = legend["indicator"]["unit"] or ""
    rows = [
        f'<li><span class="nis-swatch-{i}"></span>'
        f"{html.escape(class_label(c, unit))} ({c['count']})</li>"
        for i, c in enumerate(legend["classes"])
    ]
    for name, key in (("Suppressed", "suppressed"), ("No data", "no_data")):
        entry = legend[key]
        if entry["count"]:
            rows.append(
                f'<li><span class="nis-swatch-{key}"></span>{name} '
                f"({entry['count']}): {html.escape(entry['why'])}</li>"
            )
    marked = "" if marking is None else f'<p class="nis-marked">{html.escape(marking)}</p>'
    return (
        '<div class="nis-legend">' + marked + "<strong>" + html.escape(title_of(legend))
        + "</strong><ul>" + "".join(rows) + "</ul><small>" + html.escape(legend["palette"])
        + "; " + html.escape(legend["scheme"].replace("_", " ")) + "</small></div>"
    )  # fmt: skip


def marking_html(marking: str | None) -> str:
    """The banner over a restricted view's map (nothing for any other)."""
    if marking is None:
        return ""
    return f'<div class="nis-marking" role="note">{html.escape(marking)}</div>'


def legend_css(legend: dict[str, Any]) -> str:
    """The legend swatches' colours (the palette's, checked to be colours)."""
    swatches = [(str(i), c["colour"]) for i, c in enumerate(legend["classes"])]
    swatches += [(key, legend[key]["colour"]) for key in ("suppressed", "no_data")]
    return "".join(
        f".nis-legend .nis-swatch-{name} {{ background: {_css_colour(colour)}; }}\n"
        for name, colour in swatches
    )


def _css_colour(colour: str) -> str:
    if not _COLOUR.fullmatch(colour):
        raise ValueError(f"not a colour: {colour!r}")
    return colour


def shown_value(value: float) -> str:
    """A value as the legend writes it (four significant figures: 0.7622, 1,234)."""
    return f"{value:,.4g}"


def footer_html(footer: Footer | None) -> str:
    """The export's footer box (and its DEMO banner on the demo), its text escaped."""
    if footer is None:
        return ""
    demo = f'<div class="nis-demo" role="note">{html.escape(DEMO)}</div>' if footer.demo else ""
    lines = "".join(f"<p>{html.escape(line)}</p>" for line in footer.lines())
    return f'{demo}<div class="nis-footer" role="contentinfo">{lines}</div>'


def tooltip_features(features: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The features as the export draws them: geometry, colour and the tooltip's fields,
    text escaped (folium's tooltip reads it as HTML) and values as numbers."""
    shown = []
    for feature in features:
        properties = feature["properties"]
        value = properties.get("value")
        fields = {
            "name": html.escape(str(properties.get("name") or "")),
            "code": html.escape(str(properties.get("code") or "")),
            "value": "" if value is None else shown_value(float(value)),
            "status": html.escape(str(properties.get("status") or "")),
            "colour": _css_colour(properties["colour"]),
        }
        shown.append({"type": "Feature", "id": feature.get("id"),
                      "geometry": feature["geometry"], "properties": fields})  # fmt: skip
    return shown


_LEGEND_CSS = """
.nis-legend { position: absolute; bottom: 1rem; left: 1rem; z-index: 1000; background: #fff;
  padding: .5rem .7rem; border: 1px solid #999; font: 13px/1.4 system-ui, sans-serif; }
.nis-legend ul { list-style: none; margin: .3rem 0; padding: 0; }
.nis-legend span { display: inline-block; width: 1.1rem; height: .8rem; margin-right: .4rem;
  border: 1px solid #777; vertical-align: middle; }
.nis-marking { position: absolute; top: .6rem; left: 50%; transform: translateX(-50%);
  z-index: 1001; background: #a50026; color: #fff; padding: .35rem .9rem;
  font: 600 15px/1.3 system-ui, sans-serif; border: 2px solid #fff; }
.nis-legend .nis-marked { margin: 0 0 .3rem; color: #a50026; font-weight: 600; }
.nis-footer { position: absolute; bottom: 1rem; right: 1rem; z-index: 1000; max-width: 46%;
  background: rgba(255,255,255,.92); padding: .3rem .5rem; border: 1px solid #999;
  font: 10px/1.35 system-ui, sans-serif; color: #222; }
.nis-footer p { margin: 0; }
.nis-demo { position: absolute; top: .6rem; right: .6rem; z-index: 1001; background: #ffe08a;
  border: 1px solid #b38600; padding: .2rem .6rem; font: 700 14px/1.3 system-ui, sans-serif; }
"""
# The marking's banner on a PNG: white on dark red, the darkest of the palettes' reds.
BANNER_COLOUR = "#a50026"


@dataclass(frozen=True)
class StandalonePage:
    """An exported page and the Content-Security-Policy to serve it with."""

    html: str
    policy: str


def standalone_html(collection: dict[str, Any], footer: Footer | None = None) -> StandalonePage:
    """A folium page of the map, with Leaflet inlined and no other script or tile, that
    allows its own inline scripts and styles alone.

    The hashes are taken before the title and legend (the HTML that holds data text) go
    in, and checked again after: should escaping ever fail, a script it let in would not
    be allowed, and the export is refused rather than served.
    """
    legend = collection["legend"]
    marking = collection.get("marking")
    code = _folium_page(collection).replace(
        "<head>",
        f"<head><style>{(LEAFLET / 'leaflet.css').read_text()}{_LEGEND_CSS}"
        f"{legend_css(legend)}</style><script>{(LEAFLET / 'leaflet.js').read_text()}</script>",
        1,
    )
    hashes = inline_hashes(code)
    title = title_of(legend) if marking is None else f"{marking}: {title_of(legend)}"
    shown = marking_html(marking) + legend_html(legend, marking) + footer_html(footer)
    document = code.replace("</body>", shown + "</body>", 1).replace(
        "<head>", f"<head><title>{html.escape(title)}</title>", 1
    )
    if inline_hashes(document) != hashes:
        raise ValueError("the title's or legend's text added a script or style to the export")
    directives = {
        "default-src": ["'none'"],
        "script-src": hashes["script"],
        "style-src": hashes["style"],
        "img-src": ["data:"],
    }
    # In the page (opened from the disk, no header comes): first in its head, after the
    # charset (which folium writes after Leaflet's 150 KB).
    head = (
        f'<head><meta charset="utf-8">'
        f'<meta http-equiv="{CSP}" content="{policy(directives, meta=True)}">'
    )
    served = f"{policy(directives)}; sandbox allow-scripts"  # an origin of its own
    return StandalonePage(document.replace("<head>", head, 1), served)


def _folium_page(collection: dict[str, Any]) -> str:
    """folium's page of the map: its scripts and styles, no legend, no CDN."""
    import folium

    page = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    # Nothing from a CDN: no bootstrap, jquery or icon fonts; Leaflet is inlined.
    page.default_js = []
    page.default_css = []
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": tooltip_features(collection["features"])},
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#555",
                                  "weight": 0.6, "fillOpacity": 0.85},
        tooltip=folium.GeoJsonTooltip(fields=list(TOOLTIP_FIELDS)),
    )  # fmt: skip
    layer.add_to(page)
    bounds: Any = layer.get_bounds()
    page.fit_bounds(bounds)
    root: Any = page.get_root()  # a folium Figure (typed as Element)
    return str(root.render())


def png(
    collection: dict[str, Any], footer: Footer | None = None, width_px: int = 1600, dpi: int = 150
) -> bytes:
    """The map drawn with its legend and title, as PNG; with ``footer``, its lines under
    the map (and the DEMO mark above it, and in the file's ``Comment`` text chunk)."""
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
    unit = legend["indicator"]["unit"] or ""
    handles = [
        Patch(facecolor=c["colour"], edgecolor="#777777",
              label=f"{class_label(c, unit)} ({c['count']})")
        for c in legend["classes"]
    ]  # fmt: skip
    for name, key in (("Suppressed", "suppressed"), ("No data", "no_data")):
        if legend[key]["count"]:
            handles.append(Patch(facecolor=legend[key]["colour"], edgecolor="#777777",
                                 label=f"{name} ({legend[key]['count']})"))  # fmt: skip
    axes.legend(handles=handles, loc="lower left", fontsize="small", frameon=True)
    marking = collection.get("marking")
    note = f"{SOURCE_NOTE}; {legend['palette']}"
    metadata = {"Title": title_of(legend)}
    if marking is not None:
        # Above the title, where a crop for a slide is least likely to lose it; and in the
        # footer and the file's own text, should it be cropped all the same.
        figure.text(
            0.5, 1.0, marking, ha="center", va="bottom", color="white", fontsize="large",
            fontweight="bold",
            bbox={"facecolor": BANNER_COLOUR, "edgecolor": BANNER_COLOUR, "pad": 6},
        )  # fmt: skip
        note = note if footer is not None else f"{marking}. {note}"  # the footer says it
        metadata["Warning"] = marking
    if footer is not None:
        note = "\n".join([*footer.lines(), note])
        if footer.demo:
            figure.text(
                0.99, 1.0, DEMO, ha="right", va="bottom", fontsize="medium", fontweight="bold",
                bbox={"facecolor": "#ffe08a", "edgecolor": "#b38600", "pad": 4},
            )  # fmt: skip
        metadata["Comment"] = " ".join(footer.lines())
    figure.text(0.01, 0.0, note, fontsize="x-small", va="top", wrap=True)
    out = io.BytesIO()
    figure.savefig(out, format="png", bbox_inches="tight", metadata=metadata)
    plt.close(figure)
    return out.getvalue()


def parse(collection_text: str) -> dict[str, Any]:
    return dict(json.loads(collection_text))
