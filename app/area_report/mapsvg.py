"""The report's map as inline SVG, drawn on the server (no tile server, no script): the
area and the areas of its type around it, coloured as the choropleth colours them, the
area outlined. Names are escaped; colours are checked to be colours, and are attributes
(the page's policy allows no ``style`` attribute)."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from app.area_report.repository import Frame, Shape

_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")
OUTLINE = "#000000"
EDGE = "#555555"
NO_DATA = "#f0f0f0"


def colour(value: Any) -> str:
    text = str(value)
    return text if _COLOUR.fullmatch(text) else NO_DATA


def map_svg(frame: Frame, shapes: list[Shape], props: dict[str, dict[str, Any]],
            missing: str, title: str) -> str:  # fmt: skip
    """The map: ``props`` by area code (``colour``, ``value``, ``status``) as
    :func:`app.maps.service.map_values` gives them; ``missing`` the no-data colour."""
    width, height = frame.x_max - frame.x_min, frame.y_max - frame.y_min
    box = f"{frame.x_min:.0f} {-frame.y_max:.0f} {width:.0f} {height:.0f}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{box}" class="map" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
    ]
    for shape in shapes:
        found = props.get(shape.code)
        fill = colour(found["colour"]) if found else colour(missing)
        stroke, width_px = (OUTLINE, 3.5) if shape.chosen else (EDGE, 0.6)
        parts.append(
            f'<path d="{escape(shape.path)}" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{width_px}" vector-effect="non-scaling-stroke" '
            f'stroke-linejoin="round"><title>{escape(shape.name)} ({escape(shape.code)})'
            "</title></path>"
        )
    parts.append("</svg>")
    return "".join(parts)
