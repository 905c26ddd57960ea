"""Turning a boundary layer into clean areas: code, name, valid MultiPolygon in EPSG:4326.

All features are checked before anything is returned and every problem is reported at once,
so a user fixes a file in one go rather than one error per attempt; nothing is half-done.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import shapely
from pyproj import CRS
from shapely.geometry import GeometryCollection, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geodata.codes import clean_code, clean_name
from geodata.errors import (
    CrsError,
    FeatureProblem,
    FeatureValidationError,
    FieldDetectionError,
    RepairRefusedError,
)
from geodata.fields import FieldChoice, resolve_field
from geodata.repair import (
    MAX_REPAIR_CHANGE_PCT,
    RepairReport,
    accept_enclaves,
    repair_geometry,
    to_multipolygon,
)

WGS84 = CRS.from_epsg(4326)


@dataclass
class PreparedAreas:
    """Areas ready to store.

    Attributes
    ----------
    gdf : geopandas.GeoDataFrame
        Columns ``code`` (str), ``name`` (str) and ``geometry`` (valid 2D MultiPolygon),
        EPSG:4326, one row per input feature in input order (RangeIndex).
    repairs : list of RepairReport
        Every invalid geometry that was repaired, with its area change.
    messages : list of str
        Summary for the user.
    """

    gdf: gpd.GeoDataFrame
    repairs: list[RepairReport] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def prepare_areas(
    gdf_wgs84: gpd.GeoDataFrame,
    field_choice: FieldChoice,
    *,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> PreparedAreas:
    """Check every feature and build clean areas.

    Parameters
    ----------
    gdf_wgs84 : geopandas.GeoDataFrame
        Boundary features in EPSG:4326 (see :func:`geodata.reading.to_wgs84`).
    field_choice : FieldChoice
        The code and name columns (see :func:`geodata.fields.detect_fields`).
    force : bool, default False
        Accept geometry repairs that change a feature's area by more than
        :data:`geodata.repair.MAX_REPAIR_CHANGE_PCT` percent.
    progress : callable, optional
        Called with 1 after each feature is processed (e.g. ``tqdm.update``).

    Returns
    -------
    PreparedAreas
        Clean areas, repair reports and messages.

    Raises
    ------
    CrsError
        ``gdf_wgs84`` is not in EPSG:4326.
    FieldDetectionError
        A column of ``field_choice`` is not in ``gdf_wgs84``.
    FeatureValidationError
        Blank or duplicate codes, blank names, missing, empty or non-polygon geometries, or
        geometries with no area once repaired; every problem of every feature is listed.
    RepairRefusedError
        Some repairs change the area too much and ``force`` is False.
    """
    _check_input(gdf_wgs84, field_choice)
    code_values = gdf_wgs84[field_choice.code_field].tolist()
    name_values = (
        gdf_wgs84[field_choice.name_field].tolist() if field_choice.name_field else code_values
    )
    geometries = list(gdf_wgs84.geometry.array)

    problems: list[FeatureProblem] = []
    codes: list[str] = []
    names: list[str] = []
    clean: list[MultiPolygon] = []
    repairs: list[RepairReport] = []
    originals: dict[int, BaseGeometry] = {}
    for index, (raw_code, raw_name, geometry) in enumerate(
        zip(code_values, name_values, geometries, strict=True)
    ):
        code = clean_code(raw_code)
        name = clean_name(raw_name)
        if code is None:
            problems.append(
                FeatureProblem(
                    index, None, field_choice.code_field, "the code is blank", "missing_code"
                )
            )
        if field_choice.name_field and name is None:
            problems.append(
                FeatureProblem(
                    index, code, field_choice.name_field, "the name is blank", "missing_name"
                )
            )
        polygonal, problem = _polygonal(geometry, index, code)
        if problem is not None:
            problems.append(problem)
        elif polygonal is not None:
            # checked after conversion: a valid collection of overlapping polygons makes an
            # invalid MultiPolygon
            if not polygonal.is_valid:
                originals[index] = polygonal
                polygonal, report = repair_geometry(polygonal, index=index, code=code, force=force)
                repairs.append(report)
                if polygonal.is_empty:
                    problems.append(
                        FeatureProblem(
                            index,
                            code,
                            "geometry",
                            f"the geometry has no area once made valid ({report.reason})",
                            "repair_collapsed",
                        )
                    )
            clean.append(polygonal)
        codes.append(code or "")
        names.append(name or code or "")
        if progress is not None:
            progress(1)

    problems += _duplicate_problems(codes, field_choice.code_field)
    if problems:
        problems.sort(key=lambda p: p.index)  # stable: per feature, in order of checks
        raise FeatureValidationError(problems)
    if any(not r.accepted for r in repairs):
        # Every feature is good by now, so `clean` is aligned with feature indices.
        reconsidered = accept_enclaves(
            [originals.get(i, g) for i, g in enumerate(clean)],
            clean,
            {r.index: r for r in repairs},
            codes,
        )
        repairs = [reconsidered[r.index] for r in repairs]
    refused = [r for r in repairs if not r.accepted]
    if refused:
        raise RepairRefusedError(refused, MAX_REPAIR_CHANGE_PCT)

    gdf = gpd.GeoDataFrame({"code": codes, "name": names}, geometry=clean, crs=WGS84)
    return PreparedAreas(gdf=gdf, repairs=repairs, messages=_summary(gdf, repairs, force))


# --- helpers -------------------------------------------------------------------------------


def _check_input(gdf: gpd.GeoDataFrame, choice: FieldChoice) -> None:
    # geopandas keeps x = longitude whatever the axis order, so OGC:CRS84 is fine too
    if gdf.crs is None or not CRS.from_user_input(gdf.crs).equals(WGS84, ignore_axis_order=True):
        raise CrsError(
            f"Areas must be in WGS84 longitude/latitude (EPSG:4326), not {gdf.crs}.",
            code="not_wgs84",
            hint="reproject first with geodata.reading.to_wgs84().",
        )
    for column in (choice.code_field, choice.name_field):
        if column is not None and column not in gdf.columns:
            columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
            raise FieldDetectionError(
                f"There is no field {column!r}. The columns are: {', '.join(columns)}.",
                code="unknown_field",
                columns=columns,
            )


def _polygonal(
    geometry: BaseGeometry | None, index: int, code: str | None
) -> tuple[MultiPolygon | None, FeatureProblem | None]:
    """Return the geometry as a 2D MultiPolygon, or the problem that prevents it."""
    if geometry is None:
        return None, FeatureProblem(
            index, code, "geometry", "the geometry is missing", "missing_geometry"
        )
    if geometry.is_empty:
        return None, FeatureProblem(
            index, code, "geometry", "the geometry is empty", "empty_geometry"
        )
    members = list(geometry.geoms) if isinstance(geometry, GeometryCollection) else [geometry]
    others = sorted({m.geom_type for m in members if not isinstance(m, Polygon | MultiPolygon)})
    if others:
        return None, FeatureProblem(
            index,
            code,
            "geometry",
            f"the geometry is a {geometry.geom_type}"
            + (f" containing {', '.join(others)}" if others != [geometry.geom_type] else "")
            + ", not a polygon",
            "not_polygon",
        )
    # the database stores 2D MultiPolygons; drop any Z a Shapefile may carry
    return to_multipolygon(shapely.force_2d(geometry)), None


def _duplicate_problems(codes: list[str], code_field: str) -> list[FeatureProblem]:
    where: defaultdict[str, list[int]] = defaultdict(list)
    for index, code in enumerate(codes):
        if code:
            where[code].append(index)
    problems = []
    for code, indices in where.items():
        if len(indices) < 2:
            continue
        for index in indices:
            others = ", ".join(f"#{i}" for i in indices if i != index)
            problems.append(
                FeatureProblem(
                    index,
                    code,
                    code_field,
                    f"duplicate code {code!r}, also used by feature(s) {others}",
                    "duplicate_code",
                )
            )
    return problems


def _summary(gdf: gpd.GeoDataFrame, repairs: list[RepairReport], force: bool) -> list[str]:
    messages = [f"Prepared {len(gdf)} areas."]
    if repairs:
        worst = max(repairs, key=lambda r: abs(r.change_pct))
        messages.append(
            f"Repaired {len(repairs)} invalid geometr{'y' if len(repairs) == 1 else 'ies'}; "
            f"largest area change {worst.change_pct:+.3f}% (feature #{worst.index}, "
            f"code {worst.code!r})."
        )
        forced = [r for r in repairs if abs(r.change_pct) > MAX_REPAIR_CHANGE_PCT]
        if force and forced:
            messages.append(
                f"--force accepted {len(forced)} repair(s) changing the area by more than "
                f"{MAX_REPAIR_CHANGE_PCT:g}%: " + "; ".join(r.describe() for r in forced)
            )
    return messages


def read_population(gdf: gpd.GeoDataFrame, field_name: str) -> list[int | None]:
    """Population per feature from ``field_name``: whole non-negative numbers or blanks.

    Blank values mean "not known" and give None. Everything else that is not a whole,
    non-negative number is reported, every feature at once.

    Raises
    ------
    FieldDetectionError
        There is no such column.
    FeatureValidationError
        Some values are not populations.
    """
    column = resolve_field(
        field_name, [str(c) for c in gdf.columns if c != "geometry"], "population"
    )
    values: list[int | None] = []
    problems: list[FeatureProblem] = []
    for index, raw in enumerate(gdf[column].tolist()):
        text = "" if raw is None else str(raw).strip().replace(",", "")
        if text in ("", "nan", "None", "<NA>"):
            values.append(None)
            continue
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if not (number >= 0 and number == int(number)):
            problems.append(
                FeatureProblem(
                    index,
                    None,
                    column,
                    f"population {raw!r} is not a whole number of people",
                    "bad_population",
                )
            )
            values.append(None)
            continue
        values.append(int(number))
    if problems:
        raise FeatureValidationError(problems)
    return values
