"""Rules for reading areas: which type, vintage, level and filter a request means."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine, Row
from sqlalchemy.orm import Session

from app.access.viewer import Viewer
from app.areas import custom
from app.areas import feature_repository as features_repo
from app.areas import repository as repo
from app.areas.feature_repository import AreaQuery
from app.errors import AreaNotFoundError, InvalidParameterError, UnknownAreaTypeError
from geodata.simplify import DISPLAY_LEVELS

# Simplified levels are generalised by metres, so more decimals would only add bytes.
SIMPLIFIED_PRECISION = 6


def parse_bbox(raw: str, *, geographic: bool = True) -> tuple[float, float, float, float]:
    """``minx,miny,maxx,maxy`` in longitude/latitude (EPSG:4326), or in a projected CRS's
    units when not ``geographic``."""
    parts = raw.split(",")
    if len(parts) != 4:
        raise InvalidParameterError(
            f"bbox must be four numbers minx,miny,maxx,maxy (lon/lat); got {raw!r}"
        )
    try:
        minx, miny, maxx, maxy = (float(p) for p in parts)
    except ValueError as exc:
        raise InvalidParameterError(f"bbox must be four numbers; got {raw!r}") from exc
    if not all(map(_finite, (minx, miny, maxx, maxy))):
        raise InvalidParameterError("bbox values must be finite numbers")
    if geographic and not (
        -180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90
    ):
        raise InvalidParameterError(
            f"bbox {raw!r} is outside longitude/latitude range; give it in EPSG:4326"
        )
    if minx > maxx or miny > maxy:
        raise InvalidParameterError(f"bbox {raw!r} has min greater than max")
    return minx, miny, maxx, maxy


def _finite(value: float) -> bool:
    return value == value and value not in (float("inf"), float("-inf"))


def check_level(level: int) -> int:
    if level != 0 and level not in DISPLAY_LEVELS:
        known = ", ".join(
            f"{n} ({lvl.tolerance_m:g} m)" for n, lvl in sorted(DISPLAY_LEVELS.items())
        )
        raise InvalidParameterError(
            f"simplify={level} is not a display level; use 0 (full detail) or one of {known}"
        )
    return level


@dataclass(frozen=True)
class AreaFilter:
    type_code: str
    vintage: int | None = None
    bbox: str | None = None
    parent: str | None = None
    simplify: int = 0


def _type_and_vintage(
    session: Session, viewer: Viewer, type_code: str, vintage: int | None
) -> tuple[str, int]:
    """A known type code (lower-case) that the viewer may see, and the vintage asked for,
    or its newest."""
    type_code = type_code.strip().lower()  # type codes are stored lower-case
    custom.require_visible_type(session, viewer, type_code)
    if not repo.area_type_exists(session, type_code):
        hidden = custom.hidden_types(session, viewer)
        codes = [t for t in repo.area_type_codes(session) if t not in hidden]
        known = ", ".join(codes) or "none yet; import some areas"
        raise UnknownAreaTypeError(f"Unknown area type {type_code!r}; known types: {known}")
    if vintage is None:
        # The newest; 0 for a type with no areas yet (an empty answer, not an error).
        return type_code, repo.latest_vintage(session, type_code) or 0
    if not repo.has_vintage(session, type_code, vintage):
        raise InvalidParameterError(f"There are no {type_code} areas of vintage {vintage}")
    return type_code, vintage


def resolve_area_query(
    session: Session, viewer: Viewer, f: AreaFilter, precision: int
) -> AreaQuery:
    """Validate a request's filters against the database and settle the vintage."""
    type_code, vintage = _type_and_vintage(session, viewer, f.type_code, f.vintage)
    f = replace(f, type_code=type_code)
    parent_ids = None
    if f.parent is not None:
        matches = _visible_areas(session, viewer, f.parent)
        if not matches:
            raise AreaNotFoundError(f"No area has the code {f.parent!r} (parent filter)")
        parent_ids = tuple(int(m.id) for m in matches)
    level = check_level(f.simplify)
    return AreaQuery(
        type_code=f.type_code,
        vintage=vintage,
        bbox=parse_bbox(f.bbox) if f.bbox is not None else None,
        parent_ids=parent_ids,
        level=level,
        precision=SIMPLIFIED_PRECISION if level else precision,
    )


FEATURE_COLLECTION_HEAD = '{"type":"FeatureCollection","features":['


def feature_collection_chunks(
    engine: Engine, query: AreaQuery, batch_rows: int, head: str = FEATURE_COLLECTION_HEAD
) -> Iterator[bytes]:
    """The FeatureCollection (``head`` up to its features' ``[``) as UTF-8 chunks.

    The query runs and its first rows are read before this returns, so that an error in
    them (a bad parameter, the database down) is an error response rather than a stream
    broken after a 200 has gone out. An error later (the connection lost mid-read) raises
    from the iterator, and the server cuts the response short without its last chunk: a
    client sees an incomplete transfer, never a complete but shorter layer.
    """
    batches = features_repo.stream_features(engine, query, batch_rows)
    first = next(batches, [])

    def chunks() -> Iterator[bytes]:
        yield (head + ",".join(first)).encode()
        for batch in batches:
            yield ("," + ",".join(batch)).encode()
        yield b"]}"

    return chunks()


def area_feature(
    session: Session,
    viewer: Viewer,
    code: str,
    type_code: str | None,
    vintage: int | None,
    precision: int,
    simplify: int = 0,
) -> str:
    """One area as a Feature; the newest vintage unless one is asked for."""
    level = check_level(simplify)
    matches = [
        m
        for m in _visible_areas(session, viewer, code)
        if (type_code is None or m.type_code == type_code)
        and (vintage is None or m.vintage == vintage)
    ]
    if not matches:
        raise AreaNotFoundError(f"No area has the code {code!r}")
    types = sorted({m.type_code for m in matches})
    if len(types) > 1:
        raise InvalidParameterError(
            f"The code {code!r} names areas of several types ({', '.join(types)}); "
            "add ?type= to choose one"
        )
    feature = features_repo.one_feature(
        session, int(matches[0].id), SIMPLIFIED_PRECISION if level else precision, level
    )
    if feature is None:  # pragma: no cover - the row was found a moment ago
        raise AreaNotFoundError(f"No area has the code {code!r}")
    return feature


def area_names(
    session: Session, viewer: Viewer, type_code: str, vintage: int | None
) -> dict[str, Any]:
    """Every area's name by code, for one type and vintage (the newest by default): what a
    search box needs, without the geometries."""
    type_code, vintage = _type_and_vintage(session, viewer, type_code, vintage)
    return {
        "type": type_code,
        "vintage": vintage,
        "names": repo.area_names(session, type_code, vintage),
    }


def list_area_types(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    """Every area type but the custom areas' the viewer may not see."""
    hidden = custom.hidden_types(session, viewer)
    patches = custom.custom_types(session)
    return [
        {
            "code": row.code,
            "name": row.name,
            "parent": row.parent_code,
            "children": list(row.children),
            "description": row.description,
            "vintages": row.vintages,
            "custom": row.code in patches,
        }
        for row in repo.area_types(session)
        if row.code not in hidden
    ]


def newest_area(session: Session, viewer: Viewer, code: str) -> Row[Any]:
    """The area with ``code`` (id, code, name, type_code, vintage): of the newest vintage,
    the first type by code when codes clash; never a custom area the viewer may not see."""
    matches = _visible_areas(session, viewer, code)
    if not matches:
        raise AreaNotFoundError(f"There is no area {code!r}")
    return matches[0]


def _visible_areas(session: Session, viewer: Viewer, code: str) -> list[Row[Any]]:
    """The areas with ``code`` (as :func:`repo.find_areas_by_code`) the viewer may see."""
    hidden = custom.hidden_types(session, viewer)
    return [m for m in repo.find_areas_by_code(session, code) if m.type_code not in hidden]
