"""Vector tiles of an area type: which display level a zoom draws, the tiles built
ahead at low zooms (where one tile holds thousands of areas), and one tile on demand.

A tile from zoom 0 to :data:`BUILT_AHEAD_TO` is read from ``area_tile``, which the
importer fills after writing a type's areas and which triggers empty whenever those
areas change (migration 0007); where it holds no tile (another path changed the
areas), or at higher zooms, the tile is built on demand by the same SQL.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.areas import repository as area_repo
from app.areas import tile_repository as repo
from app.progress import SILENT, Progress
from geodata.simplify import DISPLAY_LEVELS

MAX_ZOOM = 16
BUILT_AHEAD_TO = 10
# Half the Web Mercator world's width, in metres.
_HALF_WORLD = 20037508.342789244


@dataclass(frozen=True)
class AreaTile:
    body: bytes
    etag: str


def display_level(z: int) -> int:
    """The display level (0 = full detail) meant for zoom ``z``: each level's tolerance
    is about a pixel at its zooms; coarser than the coarsest's zooms, the coarsest."""
    for number, level in DISPLAY_LEVELS.items():
        if level.min_zoom <= z <= level.max_zoom:
            return number
    coarsest = max(DISPLAY_LEVELS, key=lambda n: DISPLAY_LEVELS[n].tolerance_m)
    return coarsest if z < DISPLAY_LEVELS[coarsest].min_zoom else 0


def tile_range(extent: tuple[float, float, float, float], z: int) -> repo.TileRange:
    """The tiles at zoom ``z`` covering a Web Mercator box (minx, miny, maxx, maxy)."""
    n = 1 << z
    size = 2 * _HALF_WORLD / n

    def column(metres: float) -> int:
        return min(n - 1, max(0, math.floor((metres + _HALF_WORLD) / size)))

    def row(metres: float) -> int:
        return min(n - 1, max(0, math.floor((_HALF_WORLD - metres) / size)))

    minx, miny, maxx, maxy = extent
    return repo.TileRange(z, column(minx), column(maxx), row(maxy), row(miny))


def etag_of(body: bytes) -> str:
    """The same tag as the tiles built ahead carry (PostgreSQL's ``md5``)."""
    return hashlib.md5(body, usedforsecurity=False).hexdigest()


def build_ahead(
    session: Session, type_code: str, progress: Progress = SILENT, to_zoom: int = BUILT_AHEAD_TO
) -> int:
    """(Re)build a type's tiles (of its newest vintage, which maps show) from zoom 0 to
    ``to_zoom``; how many were stored, empty ones included."""
    repo.delete_stored_tiles(session, type_code)
    vintage = area_repo.latest_vintage(session, type_code)
    if vintage is None:
        return 0
    extent = repo.mercator_extent(session, type_code, vintage)
    if extent is None:
        return 0
    ranges = [tile_range(extent, z) for z in range(to_zoom + 1)]
    total = sum((r.x1 - r.x0 + 1) * (r.y1 - r.y0 + 1) for r in ranges)
    stored = 0
    with progress("building map tiles", total) as advance:
        for tiles in ranges:
            count = repo.store_tiles(session, type_code, vintage, tiles, display_level(tiles.z))
            stored += count
            advance(count)
    return stored


def area_tile(session: Session, type_code: str, vintage: int, z: int, x: int, y: int) -> AreaTile:
    """One tile of an area type (features with ``code`` and ``name``)."""
    if z <= BUILT_AHEAD_TO:
        stored = repo.stored_tile(session, type_code, z, x, y)
        if stored is not None:
            return AreaTile(bytes(stored.body), str(stored.etag))
    body = repo.build_tile(session, type_code, vintage, z, x, y, display_level(z), type_code)
    return AreaTile(body, etag_of(body))
