"""Vector tiles of area types: built ahead at import for the low zooms, identical to the
tiles built on demand, and never outliving the geometry they were drawn from."""

from __future__ import annotations

from pathlib import Path

import mapbox_vector_tile
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.areas import tile_repository as tile_repo
from app.areas.tiles import (
    BUILT_AHEAD_TO,
    area_tile,
    build_ahead,
    display_level,
    etag_of,
    tile_range,
)
from tests.areas.conftest import import_layer


def _stored(session: Session, type_code: str) -> dict[tuple[int, int, int], bytes]:
    rows = session.execute(
        text("SELECT z, x, y, body FROM area_tile WHERE type_code = :t"), {"t": type_code}
    )
    return {(r.z, r.x, r.y): bytes(r.body) for r in rows}


def test_zooms_draw_the_display_level_meant_for_them() -> None:
    assert [display_level(z) for z in (0, 8, 10, 11, 12, 13, 14, 15, 16)] == [
        3, 3, 3, 2, 2, 1, 1, 0, 0,
    ]  # fmt: skip


def test_import_builds_the_low_zoom_tiles_as_on_demand(session: Session, gpkg: Path) -> None:
    import_layer(session, gpkg, "sheffield_lsoa2011_bgc", "lsoa")
    stored = _stored(session, "lsoa")
    assert {z for z, _, _ in stored} == set(range(BUILT_AHEAD_TO + 1))
    vintage = session.execute(text("SELECT max(vintage) FROM area")).scalar_one()
    for (z, x, y), body in stored.items():
        built = tile_repo.build_tile(session, "lsoa", vintage, z, x, y, display_level(z), "lsoa")
        assert built == body, (z, x, y)
    # From the city zooms on, every area is in the tiles with its code (at zoom 0 a
    # tile unit is ~6 km here and LSOAs smaller than that drop out).
    codes = set(session.execute(text("SELECT code FROM area")).scalars())
    for z in (8, BUILT_AHEAD_TO):
        seen = {
            f["properties"]["code"]
            for (zz, _, _), body in stored.items()
            if zz == z and body
            for f in mapbox_vector_tile.decode(body)["lsoa"]["features"]
        }
        assert seen == codes, z
    served = area_tile(session, "lsoa", vintage, 0, 0, 0)
    assert served.body == stored[(0, 0, 0)]
    assert served.etag == etag_of(served.body)


def test_changing_areas_empties_only_their_types_tiles(session: Session, gpkg: Path) -> None:
    import_layer(session, gpkg, "sheffield_msoa2011_bgc", "msoa")
    import_layer(session, gpkg, "sheffield_wards2020_bgc", "ward")
    assert _stored(session, "msoa")
    assert _stored(session, "ward")
    ward = session.execute(
        text(
            "SELECT id, vintage, ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT id, vintage, "
            "ST_Transform(ST_PointOnSurface(geom), 3857) AS p FROM area "
            "WHERE type_code = 'ward' LIMIT 1) w"
        )
    ).one()
    ward_id, vintage = ward.id, ward.vintage
    where = tile_range((ward.x, ward.y, ward.x, ward.y), BUILT_AHEAD_TO)
    z, x, y = where.z, where.x0, where.y0
    before = area_tile(session, "ward", vintage, z, x, y)
    session.execute(text("UPDATE area SET name = 'Renamed ward' WHERE id = :id"), {"id": ward_id})
    assert not _stored(session, "ward")
    assert _stored(session, "msoa")
    after = area_tile(session, "ward", vintage, z, x, y)  # built on demand, with the change
    assert after.etag != before.etag
    names = {
        f["properties"]["name"] for f in mapbox_vector_tile.decode(after.body)["ward"]["features"]
    }
    assert "Renamed ward" in names

    assert build_ahead(session, "ward") > 0
    session.execute(text("DELETE FROM area_display WHERE area_id = :id"), {"id": ward_id})
    assert not _stored(session, "ward")
    assert build_ahead(session, "ward") > 0
    session.execute(text("DELETE FROM area WHERE id = :id"), {"id": ward_id})
    assert not _stored(session, "ward")
    assert _stored(session, "msoa")
