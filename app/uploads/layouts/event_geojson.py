"""GeoJSON uploads of events: a FeatureCollection of Point features whose properties
are named as CSV columns are (``event_rows.ROLES``). RFC 7946 GeoJSON is WGS84; an older
export naming EPSG:27700 as its ``crs`` is read as British National Grid. A feature's
row is its position counting from 1; a null or empty geometry is no location."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from app.uploads.layouts.event_rows import (
    ROLE,
    ROLES,
    Crs,
    Fields,
    ParsedEvents,
    guess_crs,
    validated,
)
from app.uploads.reading.dates import month_from_date
from app.uploads.reading.errors import FormatError, RowErrors, clip
from app.uploads.reading.headings import Headings, match_headings, quoted
from app.uploads.reading.text import Text

# The properties read: the point is the geometry, so coordinate names mean nothing here.
_PROPERTY_ROLES = frozenset({"category", "date", "id", "location", "reported_area"})


class GeoJsonEvents:
    def accepts(self, document: Any) -> bool:
        return True

    def read(self, document: Any, text: Text) -> ParsedEvents:
        errors = RowErrors()
        notes = list(text.notes)
        fields = _fields(document, errors, notes)
        return ParsedEvents(validated("geojson", fields, month_from_date, errors, notes), errors)


def _fields(document: Any, errors: RowErrors, notes: list[str]) -> Fields:
    """Read a FeatureCollection of Point features."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise FormatError("GeoJSON uploads must be a FeatureCollection of Point features")
    features = document.get("features")
    if not isinstance(features, list):
        raise FormatError("the FeatureCollection has no 'features' list")
    crs = _geojson_crs(document.get("crs"))
    if crs == "bng":
        notes.append("coordinates are British National Grid (crs EPSG:27700)")

    properties = [_properties(feature) for feature in features]
    keys = list(dict.fromkeys(key for props in properties for key in props))
    found = match_headings(keys, [r for r in ROLES if r.name in _PROPERTY_ROLES])
    category_key = _property_key(found, keys, "category")
    date_key = _property_key(found, keys, "date")
    id_key, location_key, area_key = (
        _property_key(found, keys, role, required=False)
        for role in ("id", "location", "reported_area")
    )
    if features:
        notes.append(f"properties used: category {category_key!r}, date {date_key!r}")

    rows: list[int] = []
    category: list[str] = []
    date: list[str] = []
    xs: list[float] = []
    ys: list[float] = []
    source_id: list[str | None] = []
    location: list[str | None] = []
    reported_area: list[str | None] = []
    for index, (feature, props) in enumerate(zip(features, properties, strict=True)):
        row = index + 1
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.add(row, None, None, "not a GeoJSON Feature")
            continue
        try:
            x, y = _point(feature.get("geometry"))
        except ValueError as exc:
            errors.add(row, "geometry", clip(json.dumps(feature.get("geometry"))), str(exc))
            x, y = math.nan, math.nan
        rows.append(row)
        xs.append(x)
        ys.append(y)
        category.append(_property_text(props, category_key, row, errors) or "")
        date.append(_property_text(props, date_key, row, errors) or "")
        feature_id = feature.get("id")
        source_id.append(
            _property_text(props, id_key, row, errors)
            if id_key is not None or feature_id is None
            else str(feature_id)
        )
        location.append(_property_text(props, location_key, row, errors))
        reported_area.append(_property_text(props, area_key, row, errors))
    x_all, y_all = np.array(xs, dtype=np.float64), np.array(ys, dtype=np.float64)
    if crs == "wgs84" and guess_crs(x_all, y_all)[0] == "bng":
        # Read as RFC 7946 says, the points would all be refused one by one: say why once.
        raise FormatError(
            "the points' coordinates are not longitude/latitude but look like British "
            "National Grid eastings/northings: export the file as WGS84 (EPSG:4326), or "
            'name its CRS with a crs member: "crs": {"type": "name", "properties": '
            '{"name": "EPSG:27700"}} (as --crs EPSG:27700 does for boundary files)'
        )
    return Fields(
        rows=rows,
        category=category,
        date=date,
        x=x_all,
        y=y_all,
        crs=crs,
        source_id=source_id,
        location=location,
        reported_area=reported_area,
        names={
            "category": category_key or "category",
            "date": date_key or "date",
            "x": "geometry",
            "y": "geometry",
        },
    )


def _properties(feature: Any) -> dict[str, Any]:
    # A null (or malformed) properties member reads as none: the category is then blank.
    properties = feature.get("properties") if isinstance(feature, dict) else None
    return properties if isinstance(properties, dict) else {}


def _geojson_crs(crs: Any) -> Crs:
    # RFC 7946 GeoJSON is always WGS84; older exports (QGIS among them) may name a crs.
    if crs is None:
        return "wgs84"
    properties = crs.get("properties") if isinstance(crs, dict) else None
    name = str(properties.get("name", "")) if isinstance(properties, dict) else ""
    if name.endswith("27700"):
        return "bng"
    if name.endswith(("CRS84", "4326")):
        return "wgs84"
    raise FormatError(
        f"unsupported crs {name or crs!r}: use WGS84 longitude/latitude (RFC 7946) "
        "or British National Grid (EPSG:27700)"
    )


def _property_key(
    found: Headings, keys: list[str], role: str, *, required: bool = True
) -> str | None:
    column = found.roles.get(role)
    if column is None and required and keys:
        raise FormatError(
            f"no {role} property: name one {ROLE[role].aliases()}; "
            f"the properties are {quoted(keys)}"
        )
    return None if column is None else column.heading


def _property_text(
    props: dict[str, Any], key: str | None, row: int, errors: RowErrors
) -> str | None:
    """A property as text; None when absent or null."""
    value = None if key is None else props.get(key)
    if value is None:
        return None
    if isinstance(value, dict | list):
        errors.add(row, key, json.dumps(value), "a JSON object or list where text is expected")
        return None
    return value.strip() if isinstance(value, str) else str(value)


def _point(geometry: Any) -> tuple[float, float]:
    """The coordinates of a Point geometry; NaN for a null or empty one (no location)."""
    if geometry is None:
        return math.nan, math.nan
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind != "Point":
        raise ValueError(f"the geometry is a {kind or 'malformed object'}, not a Point")
    coordinates = geometry.get("coordinates")
    if coordinates == []:
        return math.nan, math.nan
    if (
        not isinstance(coordinates, list)
        or len(coordinates) < 2
        or not all(_is_finite_number(c) for c in coordinates[:2])
    ):
        raise ValueError("the Point's coordinates are not two numbers")
    return float(coordinates[0]), float(coordinates[1])


def _is_finite_number(value: Any) -> bool:
    # JSON true/false arrive as bool, which Python counts as int.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
