"""OGC API - Features documents: landing page, conformance, collections and items.

Collections are the area types (newest vintage). Items reuse the GeoJSON that PostGIS
builds for `/api/areas`, paged with `limit`/`offset` and absolute `next`/`prev` links.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from pyproj import CRS, Transformer
from sqlalchemy import Engine, Row
from sqlalchemy.orm import Session

from app.access import policy
from app.access.viewer import Viewer
from app.analysis.layer import FIELDS as LAYER_FIELDS
from app.analysis.layer import NONE as LAYER_NONE
from app.analysis.layer import layer_fields
from app.areas import custom
from app.areas import feature_repository as features_repo
from app.areas import repository as area_repo
from app.areas import service as area_service
from app.areas.feature_repository import AreaQuery
from app.errors import InvalidParameterError, NotFoundError
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Indicator
from app.indicators.service import visible_indicators
from app.maps.service import MapRequest, MoreProperties, map_page
from app.observations.query import available_periods
from app.ogc import datetimes

JSON = "application/json"
GEOJSON = "application/geo+json"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
# The maximum lets a client take a whole national layer (34,753 LSOAs) in one page.
DEFAULT_LIMIT, MAX_LIMIT = 10, 100_000
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
BNG = "http://www.opengis.net/def/crs/EPSG/0/27700"
# Output and bbox CRSs (Part 2). EPSG:4326 proper is latitude first: not offered.
SRIDS = {CRS84: 4326, BNG: 27700}
PROJECTED_PRECISION = 2  # centimetres


def landing(base: str) -> dict[str, Any]:
    return {
        "title": "Neighbourhood Information System",
        "description": "A city partnership's neighbourhood geography and indicators.",
        "links": [
            {"href": f"{base}/ogc", "rel": "self", "type": JSON, "title": "This document"},
            {"href": f"{base}/ogc/api", "rel": "service-desc", "type": OPENAPI_30,
             "title": "The API definition (OpenAPI 3.0)"},
            {"href": f"{base}/docs", "rel": "service-doc", "type": "text/html",
             "title": "The API documentation"},
            {"href": f"{base}/ogc/conformance", "rel": "conformance", "type": JSON,
             "title": "Conformance classes"},
            {"href": f"{base}/ogc/collections", "rel": "data", "type": JSON,
             "title": "The collections"},
        ],
    }  # fmt: skip


def collections(session: Session, base: str, viewer: Viewer) -> dict[str, Any]:
    hidden = custom.hidden_types(session, viewer)
    areas = {str(r.code): r for r in features_repo.type_extents(session) if r.code not in hidden}
    layers = [_collection(r, base) for r in areas.values()]
    patches = _patches(session, areas)
    for indicator in visible_indicators(session, viewer):
        for layer_id, type_code in _layer_types(indicator, areas, patches):
            layers.append(_indicator_collection(indicator, layer_id, areas[type_code], base))
    return {
        "links": [{"href": f"{base}/ogc/collections", "rel": "self", "type": JSON}],
        "collections": layers,
    }


def collection(session: Session, base: str, collection_id: str, viewer: Viewer) -> dict[str, Any]:
    """A collection's document (with its extent: measured, so only for documents)."""
    indicator, type_code = resolve_layer(session, collection_id, viewer)
    areas = {str(r.code): r for r in features_repo.type_extents(session)}
    if indicator is None:
        return _collection(areas[type_code], base)
    return _indicator_collection(indicator, collection_id, areas[type_code], base)


def resolve_layer(
    session: Session, collection_id: str, viewer: Viewer
) -> tuple[Indicator | None, str]:
    """A collection's indicator (None for an area type) and area type; 404 if unknown.
    Cheap: items, tiles and schemas call it on every request."""
    with_areas = area_repo.types_with_areas(session) - custom.hidden_types(session, viewer)
    if collection_id in with_areas:
        return None, collection_id
    code = collection_id.split(LAYER_SEPARATOR)[0]
    indicator = indicator_repo.indicator(session, code)
    type_code = None
    if indicator is not None and policy.may_see_indicator(viewer, indicator):
        layers = _layer_types(indicator, with_areas, _patches(session, with_areas))
        by_id = dict(layers)
        if layers:  # the first layer may be named as the others are (the page does)
            by_id.setdefault(f"{code}{LAYER_SEPARATOR}{layers[0][1]}", layers[0][1])
        type_code = by_id.get(collection_id)
    if indicator is None or type_code is None:
        raise NotFoundError(f"There is no collection {collection_id!r}")
    return indicator, type_code


LAYER_SEPARATOR = "."


def _patches(session: Session, areas: Collection[str]) -> list[str]:
    """The custom areas' types among ``areas`` (those the viewer may see)."""
    return sorted(t for t in areas if custom.is_custom_type(session, t))


def _layer_types(
    indicator: Indicator, areas: Collection[str], patches: Collection[str]
) -> list[tuple[str, str]]:
    """An indicator's layers, (collection id, area type): one per type it is published
    for that has areas (wards and committees among them, with values carried from the
    small areas), and one per custom area in ``patches``; the first is the indicator's
    code alone, the others say their type (``criminal_damage_arson.ward``)."""
    types = [t for t in indicator.area_types if t in areas]
    types += [t for t in patches if t not in types]
    return [
        (indicator.code if n == 0 else f"{indicator.code}{LAYER_SEPARATOR}{t}", t)
        for n, t in enumerate(types)
    ]


def _indicator_collection(
    indicator: Indicator, collection_id: str, area: Row[Any], base: str
) -> dict[str, Any]:
    out = _collection(area, base)
    href = f"{base}/ogc/collections/{collection_id}"
    out.update(
        id=collection_id,
        title=f"{indicator.title} by {area.name}",
        description=(
            f"{indicator.definition} Each feature is a {area.name} with the value for one "
            "period (datetime=; the newest by default); value and benchmark in "
            f"{indicator.unit or 'no unit'}."
        ),
        links=_collection_links(href),
    )
    return out


def _collection_links(href: str) -> list[dict[str, Any]]:
    return [
        {"href": href, "rel": "self", "type": JSON},
        {"href": f"{href}/items", "rel": "items", "type": GEOJSON},
        {"href": f"{href}/queryables", "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
         "type": "application/schema+json"},
        {"href": f"{href}/schema", "rel": "describedby", "type": "application/schema+json"},
    ]  # fmt: skip


QUERYABLES = {
    "code": {"type": "string", "title": "Area code (ONS GSS code or the city's own)"},
    "name": {"type": "string", "title": "Area name"},
}
_INDICATOR_PROPERTIES: dict[str, dict[str, Any]] = {
    "value": {"type": ["number", "null"], "title": "The indicator's value for the period"},
    "period": {"type": ["string", "null"], "title": "The period (2021-03, 2021, 2021/22 ...)"},
    "status": {"type": "string", "enum": ["data", "suppressed", "no data"]},
    "class": {"type": ["integer", "null"], "title": "Choropleth class (0 lowest)"},
    "colour": {"type": "string", "title": "Choropleth colour"},
    "fit": {
        "type": ["number", "null"],
        "title": "For a value estimated from smaller areas: the share of the area's "
        "population in whole source areas (1 = exact); null for a stored value",
    },
}


def queryables(session: Session, base: str, collection_id: str,
               viewer: Viewer) -> dict[str, Any]:  # fmt: skip
    """The properties items can be filtered on by equality (?code=, ?name=)."""
    resolve_layer(session, collection_id, viewer)
    return _schema(base, collection_id, "queryables", QUERYABLES)


def schema(session: Session, base: str, collection_id: str,
           viewer: Viewer) -> dict[str, Any]:  # fmt: skip
    """A JSON schema of the features' properties (the describedby link)."""
    indicator, _ = resolve_layer(session, collection_id, viewer)
    properties: dict[str, Any] = {**QUERYABLES, "type": {"type": "string"}}
    if indicator is None:
        properties.update(
            vintage={"type": "integer"}, parent={"type": ["string", "null"]},
            area_km2={"type": "number"}, population={"type": ["integer", "null"]},
        )  # fmt: skip
    else:
        properties.update({**_INDICATOR_PROPERTIES, **LAYER_FIELDS, **_in_unit(indicator)})
    return _schema(base, collection_id, "schema", properties)


def _in_unit(indicator: Indicator) -> dict[str, Any]:
    """``value`` and ``benchmark`` with the indicator's unit (one unit for both), as a
    title and as ``x-ogc-unit`` (OGC API Features Part 5's member)."""
    unit = indicator.unit or "no unit"
    return {
        name: {**spec, "title": f"{spec['title']} ({unit})", "x-ogc-unit": unit}
        for name, spec in (("value", _INDICATOR_PROPERTIES["value"]),
                           ("benchmark", LAYER_FIELDS["benchmark"]))
    }  # fmt: skip


def _schema(base: str, collection_id: str, kind: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": f"{base}/ogc/collections/{collection_id}/{kind}",
        "type": "object",
        "title": collection_id,
        "properties": properties,
    }


def _collection(row: Any, base: str) -> dict[str, Any]:
    href = f"{base}/ogc/collections/{row.code}"
    return {
        "id": row.code,
        "title": row.name,
        "description": row.description or f"{row.name} boundaries, vintage {row.vintage}",
        "itemType": "feature",
        "itemCount": int(row.n),
        "crs": list(SRIDS),
        "storageCrs": CRS84,
        "extent": {"spatial": {"bbox": [[row.minx, row.miny, row.maxx, row.maxy]],
                               "crs": CRS84}},
        "links": _collection_links(href),
    }  # fmt: skip


@dataclass(frozen=True)
class ItemsRequest:
    collection_id: str
    limit: int
    offset: int
    bbox: str | None = None
    datetime: str | None = None
    crs: str = CRS84
    bbox_crs: str = CRS84
    equals: dict[str, str] = field(default_factory=dict)  # property filters: code, name


def srid_of(uri: str, what: str) -> int:
    if uri not in SRIDS:
        raise InvalidParameterError(f"{what} must be one of {', '.join(SRIDS)}; got {uri!r}")
    return SRIDS[uri]


@functools.cache
def _projected_bounds(srid: int) -> tuple[float, float, float, float]:
    """A projected CRS's area of use in its own units (PostGIS cannot transform a point
    far outside it: a bbox of +-1e308 metres is an error, not "everywhere")."""
    area_of_use = CRS.from_epsg(srid).area_of_use
    assert area_of_use is not None  # every CRS of SRIDS has one
    west, south, east, north = area_of_use.bounds
    transformer = Transformer.from_crs(4326, srid, always_xy=True)
    minx, miny, maxx, maxy = transformer.transform_bounds(west, south, east, north)
    return float(minx), float(miny), float(maxx), float(maxy)


def bbox_in_crs(raw: str, srid: int) -> tuple[float, float, float, float]:
    """A bbox= in the CRS of ``srid``, clipped to a projected CRS's area of use (what
    lies beyond it holds no area)."""
    bbox = area_service.parse_bbox(raw, geographic=srid == 4326)
    if srid == 4326:
        return bbox
    low_x, low_y, high_x, high_y = _projected_bounds(srid)
    minx, miny, maxx, maxy = bbox
    return (
        min(max(minx, low_x), high_x),
        min(max(miny, low_y), high_y),
        max(min(maxx, high_x), low_x),
        max(min(maxy, high_y), low_y),
    )


@dataclass
class ItemsPage:
    """A page of items: its head (counts, links), then either the features' text or, for
    area types, the query that streams them (``stream``)."""

    head: dict[str, Any]
    features: list[str] | None = None
    query: AreaQuery | None = None

    def prefix(self) -> str:
        return json.dumps(self.head)[:-1] + ',"features":['

    def text(self, session: Session) -> str:
        features = self.features
        if features is None:
            assert self.query is not None
            features = features_repo.features(session, self.query)
        return self.prefix() + ",".join(features) + "]}"

    def stream(self, engine: Engine, batch_rows: int) -> Iterator[bytes]:
        """The page as UTF-8 chunks, read on a connection of its own (the response
        outlives the request's session); its query has run when this returns."""
        assert self.query is not None
        return area_service.feature_collection_chunks(engine, self.query, batch_rows, self.prefix())


def items(
    session: Session, base: str, req: ItemsRequest, viewer: Viewer, precision: int
) -> ItemsPage:
    """A page of Features with paging links and counts."""
    indicator, type_code = resolve_layer(session, req.collection_id, viewer)
    limit, offset = req.limit, req.offset
    srid, bbox_srid = srid_of(req.crs, "crs"), srid_of(req.bbox_crs, "bbox-crs")
    if srid != 4326:
        precision = PROJECTED_PRECISION
    page = ItemsPage({})
    if indicator is None:
        query = area_service.resolve_area_query(
            session, viewer, area_service.AreaFilter(type_code), precision
        )
        bbox = None if req.bbox is None else bbox_in_crs(req.bbox, bbox_srid)
        query = replace(
            query, bbox=bbox, bbox_srid=bbox_srid, srid=srid, limit=limit, offset=offset,
            code=req.equals.get("code"), name=req.equals.get("name"),
        )  # fmt: skip
        matched = features_repo.count_features(session, query)
        returned = max(0, min(limit, matched - offset))
        page.query = query
    else:
        if req.bbox is not None:
            raise InvalidParameterError("bbox filters the area type collections only")
        period = period_at(session, viewer, indicator, type_code, req.datetime)
        map_request = MapRequest(indicator.code, type_code, period, simplify=0,
                                 precision=precision, srid=srid)  # fmt: skip
        more = MoreProperties(
            lambda codes: layer_fields(session, viewer, indicator, type_code, period, codes),
            LAYER_NONE,
        )
        _, features, matched = map_page(
            session, viewer, map_request, limit, offset, req.equals, more, indicator
        )
        returned = len(features)
        page.features = features
    href = f"{base}/ogc/collections/{req.collection_id}/items"
    extra = {
        k: v
        for k, v in (("bbox", req.bbox), ("datetime", req.datetime), ("crs", req.crs),
                     ("bbox-crs", req.bbox_crs), *req.equals.items())
        if v and not (k in ("crs", "bbox-crs") and v == CRS84)
    }  # fmt: skip

    def link(rel: str, at: int) -> dict[str, Any]:
        params = {"limit": limit, "offset": at, **extra}
        return {"href": f"{href}?{urlencode(params)}", "rel": rel, "type": GEOJSON}

    links = [link("self", offset)]
    if offset + returned < matched:
        links.append(link("next", offset + limit))
    if offset > 0:
        links.append(link("prev", max(0, offset - limit)))
    page.head = {
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": returned,
        "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "links": links,
    }
    if indicator is not None:
        page.head["marking"] = policy.marking(viewer, indicator)
    return page


def item(
    session: Session,
    collection_id: str,
    feature_id: str,
    viewer: Viewer,
    precision: int,
) -> str:
    """One Feature of an area type collection (404 for an unknown collection or feature)."""
    indicator, type_code = resolve_layer(session, collection_id, viewer)
    if indicator is not None:
        raise NotFoundError("Single features are served from the area type collections")
    return area_service.area_feature(session, viewer, feature_id, type_code, None, precision)


def period_at(
    session: Session,
    viewer: Viewer,
    indicator: Indicator,
    type_code: str,
    moment: str | None,
) -> str | None:
    """The indicator's period that ``datetime=`` selects (:mod:`app.ogc.datetimes`): the
    period it names, the one holding an instant, or the newest an interval overlaps; None
    means the newest."""
    if moment is None:
        return None
    return periods_in(session, viewer, indicator, type_code, moment)[-1]


def periods_in(
    session: Session,
    viewer: Viewer,
    indicator: Indicator,
    type_code: str,
    moment: str | None,
) -> list[str]:
    """Every period of the indicator (oldest first) that ``datetime=`` selects (all of
    them without one); a 400 when it selects none."""
    labels = available_periods(session, viewer, indicator, type_code)
    if moment is None:
        return labels
    kind = indicator.period_type
    chosen = datetimes.choose(datetimes.read_span(moment, kind), labels, kind)
    if not chosen:
        held = f"; it has {labels[0]} to {labels[-1]}" if labels else ""
        raise InvalidParameterError(
            f"{indicator.code} has no values for a period in datetime {moment!r}{held}"
        )
    return chosen
