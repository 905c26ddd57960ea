"""Boundary import: read a file, check and repair it, write it in one transaction.

The geographic work (reading, field detection, validation, repair, simplification) is
in :mod:`geodata`; this module settles the rules (vintage, hierarchy, parents) and
writes through :mod:`app.areas.repository`. Nothing is written unless every feature
is good: the caller's transaction is rolled back on any error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely
from sqlalchemy.orm import Session

from app.areas import repository as repo
from app.areas.overlay import OverlayReport, rebuild_overlays
from app.areas.tiles import build_ahead
from app.errors import ImportRejectedError
from app.progress import SILENT, Advance, Progress
from geodata.errors import FeatureValidationError, GeodataError, RepairRefusedError
from geodata.fields import detect_fields
from geodata.lookup import read_lookup
from geodata.reading import read_boundaries, to_wgs84
from geodata.repair import RepairReport
from geodata.simplify import DISPLAY_LEVELS, simplify_coverage
from geodata.validation import prepare_areas, read_population

# A child whose best parent holds less than this share of it is reported as straddling.
STRADDLE_SHARE = 0.99

KNOWN_TYPE_NAMES = {
    "oa": "Output area",
    "lsoa": "Lower layer super output area",
    "msoa": "Middle layer super output area",
    "ward": "Electoral ward",
    "neighbourhood": "Neighbourhood",
    "lac": "Local area committee",
    "lad": "Local authority district",
    "city": "City",
}


@dataclass(frozen=True)
class ImportRequest:
    path: Path
    type_code: str
    layer: str | None = None
    code_field: str | None = None
    name_field: str | None = None
    vintage: int | None = None
    parent_type: str | None = None
    lookup: Path | None = None
    source_crs: str | None = None
    population_field: str | None = None
    type_name: str | None = None
    source: str | None = None
    force: bool = False


@dataclass(frozen=True)
class Straddler:
    code: str
    parent: str | None
    share: float | None
    runner_up: str | None
    runner_up_share: float | None


@dataclass
class ParentReport:
    parent_type: str
    parent_vintage: int
    method: str  # "lookup" or "spatial"
    assigned: int = 0
    straddlers: list[Straddler] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    type_code: str
    vintage: int
    layer: str | None
    code_field: str
    name_field: str | None
    inserted: int
    updated: int
    messages: list[str]
    repairs: list[RepairReport]
    kept_absent: list[str]
    parents: ParentReport | None
    total_km2: float
    overlays: list[OverlayReport] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.inserted + self.updated


def vintage_from_field(field_name: str) -> int | None:
    """``LSOA11CD`` -> 2011, ``WD20CD`` -> 2020; None when the name carries no year."""
    match = re.fullmatch(r"[A-Za-z]+(\d{2})CD", field_name, flags=re.IGNORECASE)
    return 2000 + int(match.group(1)) if match else None


def import_areas(
    session: Session, request: ImportRequest, progress: Progress = SILENT
) -> ImportReport:
    """Import a boundary file as areas of one type; see the module docstring."""
    try:
        return _import(session, request, progress)
    except RepairRefusedError as exc:
        raise ImportRejectedError(
            str(exc),
            errors=[
                {
                    "feature": r.index,
                    "code": r.code,
                    "reason": r.reason,
                    "area_before_km2": r.area_before,
                    "area_after_km2": r.area_after,
                    "change_pct": r.change_pct,
                }
                for r in exc.reports
            ],
        ) from exc
    except FeatureValidationError as exc:
        raise ImportRejectedError(
            str(exc),
            errors=[
                {
                    "feature": p.index,
                    "code": p.code,
                    "field": p.field,
                    "kind": p.kind,
                    "reason": p.reason,
                }
                for p in exc.problems
            ],
        ) from exc
    except GeodataError as exc:
        raise ImportRejectedError(str(exc)) from exc


def _import(session: Session, request: ImportRequest, progress: Progress) -> ImportReport:
    type_code = request.type_code.strip().lower()
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", type_code):
        raise ImportRejectedError(
            f"Area type {request.type_code!r} must be a short code such as lsoa or ward"
        )
    boundary = read_boundaries(request.path, layer=request.layer, source_crs=request.source_crs)
    messages = list(boundary.notes)
    fields = detect_fields(boundary.gdf, type_code, request.code_field, request.name_field)
    messages += fields.messages
    vintage = request.vintage or vintage_from_field(fields.code_field)
    if vintage is None:
        raise ImportRejectedError(
            f"Cannot tell the boundary vintage from the code field {fields.code_field!r}; "
            "pass --vintage YEAR (e.g. 2021)"
        )
    if request.vintage is None:
        messages.append(f"vintage {vintage} (from the field name {fields.code_field})")

    if request.lookup is not None and request.parent_type is None:
        raise ImportRejectedError("--lookup maps children to parents: give --parent-type too")
    parent_vintage = _check_parent_type(session, type_code, request.parent_type)

    gdf = to_wgs84(boundary.gdf)
    with progress("checking geometries", len(gdf)) as advance:
        prepared = prepare_areas(gdf, fields, force=request.force, progress=advance)
    messages += prepared.messages
    population: list[int | None] = (
        read_population(boundary.gdf, request.population_field)
        if request.population_field
        else [None] * len(prepared.gdf)
    )

    repo.upsert_area_type(
        session,
        type_code,
        request.type_name or KNOWN_TYPE_NAMES.get(type_code, type_code),
        request.parent_type,
    )
    existing = repo.area_codes(session, type_code, vintage)
    with progress("writing areas", len(prepared.gdf)) as advance:
        inserted, updated = repo.upsert_areas(
            session,
            type_code,
            vintage,
            _source(request, boundary.layer),
            _area_rows(prepared.gdf, population, advance),
        )
    file_codes = set(prepared.gdf["code"])
    kept_absent = sorted(set(existing) - file_codes)

    write_display_geometries(session, type_code, vintage, progress)

    parents = None
    if request.parent_type is not None and parent_vintage is not None:
        parents = _assign_parents(
            session, type_code, vintage, request.parent_type, parent_vintage, request.lookup
        )
    with progress("overlaying types that do not nest", 1) as advance:
        overlays = rebuild_overlays(session)
        repo.refresh_statistics(session)
        advance(1)
    # Last: any later write to these areas would empty the tiles again (migration 0007).
    build_ahead(session, type_code, progress)
    return ImportReport(
        type_code=type_code,
        vintage=vintage,
        layer=boundary.layer,
        code_field=fields.code_field,
        name_field=fields.name_field,
        inserted=inserted,
        updated=updated,
        messages=messages,
        repairs=prepared.repairs,
        kept_absent=kept_absent,
        parents=parents,
        total_km2=repo.total_area_km2(session, type_code, vintage),
        overlays=overlays,
    )


def _source(request: ImportRequest, layer: str | None) -> str:
    """Where the boundaries came from: as given, else the file (and layer) name."""
    if request.source:
        return request.source
    return f"{request.path.name} layer {layer}" if layer else request.path.name


def _check_parent_type(session: Session, type_code: str, parent_type: str | None) -> int | None:
    if parent_type is None:
        return None
    if parent_type == type_code or type_code in repo.area_type_ancestors(session, parent_type):
        raise ImportRejectedError(
            f"{parent_type!r} cannot be the parent of {type_code!r}: the hierarchy would loop"
        )
    vintage = repo.latest_vintage(session, parent_type)
    if vintage is None:
        raise ImportRejectedError(
            f"The parent type {parent_type!r} has no areas yet; import it first"
        )
    return vintage


def _area_rows(
    gdf: gpd.GeoDataFrame, population: list[int | None], advance: Advance
) -> Iterator[tuple[str, str, int | None, bytes]]:
    wkbs = shapely.to_wkb(gdf.geometry.values, output_dimension=2)
    for code, name, people, wkb in zip(gdf["code"], gdf["name"], population, wkbs, strict=True):
        yield str(code), str(name), people, bytes(wkb)
        advance(1)


def write_display_geometries(
    session: Session, type_code: str, vintage: int, progress: Progress
) -> None:
    """Simplify the whole type and vintage together, so shared borders stay shared."""
    rows = repo.area_geometries_wkb(session, type_code, vintage)
    ids = [int(r.id) for r in rows]
    gdf = gpd.GeoDataFrame(
        {"id": ids}, geometry=shapely.from_wkb([bytes(r.wkb) for r in rows]), crs="EPSG:4326"
    )
    with progress("simplifying for display", len(DISPLAY_LEVELS)) as advance:
        levels = simplify_coverage(gdf)
        advance(len(DISPLAY_LEVELS))

    def display_rows() -> Iterator[tuple[int, int, bytes]]:
        for level, series in levels.items():
            for area_id, wkb in zip(ids, shapely.to_wkb(series.values), strict=True):
                yield area_id, level, bytes(wkb)

    repo.replace_display_geometries(session, display_rows(), ids)


def _assign_parents(
    session: Session,
    type_code: str,
    vintage: int,
    parent_type: str,
    parent_vintage: int,
    lookup: Path | None,
) -> ParentReport:
    report = ParentReport(parent_type, parent_vintage, "lookup" if lookup else "spatial")
    if lookup is None:
        for row in repo.assign_parents_spatially(
            session, type_code, vintage, parent_type, parent_vintage
        ):
            if row.parent_code is None:
                report.orphans.append(row.child_code)
                continue
            report.assigned += 1
            if row.share < STRADDLE_SHARE:
                report.straddlers.append(
                    Straddler(
                        row.child_code,
                        row.parent_code,
                        float(row.share),
                        row.runner_up,
                        None if row.runner_up_share is None else float(row.runner_up_share),
                    )
                )
        return report
    children = repo.area_codes(session, type_code, vintage)
    parents = repo.area_codes(session, parent_type, parent_vintage)
    table = read_lookup(lookup, set(children), set(parents))
    report.messages += table.messages
    mapping: dict[int, int | None] = {}
    for code, child_id in children.items():
        parent_code = table.child_to_parent.get(code)
        if parent_code is None or parent_code not in parents:
            report.orphans.append(code)
            mapping[child_id] = None
        else:
            mapping[child_id] = parents[parent_code]
            report.assigned += 1
    repo.set_parents(session, mapping)
    return report
