"""Whole layers as files (``/api/downloads``): an area type, or an indicator for one period
or for many (``periods=all``), as GeoPackage, GeoJSON or CSV.

Every period's rows are the OGC items of that period (:func:`app.ogc.service.items`), so a
file of many periods shows exactly what the layer shows for each, suppression and the
partners-only marking included: there is one policy, asked once per period.

Many periods come in one of two layouts: ``long``, one row per area and period with every
field of the layer; ``wide``, one row per area and one column of values per period (named by
the period, ``2022-06``), null where the value is suppressed or there is none (the long
layout's ``status`` says which).

GeoPackages are written as GeoPackage 1.2 (GDAL's ``VERSION`` option): GDAL before 3.7,
such as Debian 12's 3.6, warns that a 1.4 file "may only be partially supported".
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from sqlalchemy.orm import Session

from app.access.viewer import Viewer
from app.errors import InvalidParameterError
from app.ogc import service

FORMATS = {"gpkg": "application/geopackage+sqlite3", "geojson": service.GEOJSON,
           "csv": "text/csv"}  # fmt: skip
LAYOUTS = ("long", "wide")
ALL = "all"
MAX_DOWNLOAD = 1_000_000
GPKG_VERSION = "1.2"
# The area's own columns, kept once per row in the wide layout.
AREA_COLUMNS = ("code", "name", "type")


@dataclass(frozen=True)
class DownloadRequest:
    collection_id: str
    fmt: str
    datetime: str | None = None
    periods: str | None = None  # "all": every period datetime= selects (all without it)
    layout: str = "long"


@dataclass(frozen=True)
class Download:
    body: bytes
    media_type: str
    filename: str


def download(
    session: Session, base: str, req: DownloadRequest, viewer: Viewer, precision: int
) -> Download:
    """A whole layer as a file: one period (``datetime=``, the newest by default) or, with
    ``periods=all``, every period ``datetime=`` selects, in the ``long`` or ``wide`` layout.

    A restricted view's download is marked (:func:`app.access.policy.marking`): the
    GeoJSON by its top-level ``marking`` member, the CSV and GeoPackage by a first
    column ``marking`` holding it on every row, which spreadsheets show and GIS tools
    read as one more attribute (a comment line before the header would be taken for the
    header by QGIS, GDAL and most spreadsheets)."""
    if req.fmt not in FORMATS:
        raise InvalidParameterError(f"Downloads are {', '.join(FORMATS)}; not {req.fmt!r}")
    if req.periods not in (None, ALL):
        raise InvalidParameterError(f"periods must be {ALL!r} or absent; got {req.periods!r}")
    if req.layout not in LAYOUTS:
        raise InvalidParameterError(f"layout must be long or wide; got {req.layout!r}")
    indicator, type_code = service.resolve_layer(session, req.collection_id, viewer)
    if req.periods is None:
        page = _page(session, base, req.collection_id, req.datetime, viewer, precision)
        name = req.collection_id
        if indicator is not None and req.datetime is not None:  # named by the period chosen
            label = service.period_at(session, viewer, indicator, type_code, req.datetime)
            name = f"{name}-{label}"
        if req.fmt == "geojson":
            body = page.text(session).encode()
            return Download(body, service.GEOJSON, _filename(name, "geojson"))
        frame, marking = _frame(session, page)
        return _file(frame, marking, req, name)
    if indicator is None:
        raise InvalidParameterError("periods= is for indicator layers; area types have none")
    labels = service.periods_in(session, viewer, indicator, type_code, req.datetime)
    frames = []
    marking = None
    for label in labels:
        page = _page(session, base, req.collection_id, label, viewer, precision)
        frame, marking = _frame(session, page)
        frames.append(frame)
    frame = _long(frames) if req.layout == "long" else _wide(frames, labels)
    return _file(frame, marking, req, f"{req.collection_id}-all-periods-{req.layout}")


def _page(
    session: Session, base: str, collection_id: str, moment: str | None, viewer: Viewer,
    precision: int,
) -> service.ItemsPage:  # fmt: skip
    req = service.ItemsRequest(collection_id, MAX_DOWNLOAD, 0, datetime=moment)
    return service.items(session, base, req, viewer, precision)


def _frame(session: Session, page: service.ItemsPage) -> tuple[gpd.GeoDataFrame, str | None]:
    features = json.loads(page.text(session))["features"]
    frame = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    return frame, page.head.get("marking")


def _long(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    if not frames:
        return gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")


def _wide(frames: list[gpd.GeoDataFrame], labels: list[str]) -> gpd.GeoDataFrame:
    if not frames:
        return gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    first = frames[0]
    columns = [c for c in AREA_COLUMNS if c in first.columns]
    out = first[[*columns, "geometry"]].set_index("code", drop=False)
    for label, frame in zip(labels, frames, strict=True):
        out[label] = frame.set_index("code")["value"].reindex(out.index)
    geometry = out.pop("geometry")
    out["geometry"] = geometry
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry="geometry", crs="EPSG:4326")


def _file(
    frame: gpd.GeoDataFrame, marking: str | None, req: DownloadRequest, name: str
) -> Download:
    if marking is not None:
        frame.insert(0, "marking", marking)
    filename = _filename(name, req.fmt)
    if req.fmt == "csv":
        body = frame.drop(columns="geometry").to_csv(index=False).encode()
        return Download(body, FORMATS["csv"], filename)
    if req.fmt == "geojson":
        collection: dict[str, Any] = json.loads(frame.to_json(na="null", drop_id=True))
        if marking is not None:
            collection["marking"] = marking
        return Download(json.dumps(collection).encode(), service.GEOJSON, filename)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "layer.gpkg"
        frame.to_file(
            path, driver="GPKG", layer=req.collection_id, engine="pyogrio",
            dataset_options={"VERSION": GPKG_VERSION},
        )  # fmt: skip
        return Download(path.read_bytes(), FORMATS["gpkg"], filename)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _filename(name: str, extension: str) -> str:
    """A file name safe in a Content-Disposition header and on every file system (a
    financial year's ``/`` becomes ``-``), with the format's extension."""
    return f"{_UNSAFE.sub('-', name).strip('-')}.{extension}"
