"""Bad boundary files: a clear error naming the features, and nothing written."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import MultiPolygon, Point, Polygon
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.errors import ImportRejectedError
from tests.areas.conftest import run_import

SQUARE = Polygon([(-1.50, 53.38), (-1.49, 53.38), (-1.49, 53.39), (-1.50, 53.39)])
NEXT_SQUARE = Polygon([(-1.49, 53.38), (-1.48, 53.38), (-1.48, 53.39), (-1.49, 53.39)])
# Two parts of one area that overlap: make-valid keeps only their symmetric difference,
# so the overlap would silently vanish from the area.
OVERLAPPING_PARTS = MultiPolygon(
    [
        Polygon([(-1.50, 53.40), (-1.48, 53.40), (-1.48, 53.42), (-1.50, 53.42)]),
        Polygon([(-1.49, 53.41), (-1.47, 53.41), (-1.47, 53.43), (-1.49, 53.43)]),
    ]
)
# A ring that touches itself in a spike: invalid, but the repair changes nothing material.
SPIKE = Polygon(
    [
        (-1.47, 53.38),
        (-1.46, 53.38),
        (-1.46, 53.385),
        (-1.455, 53.385),
        (-1.46, 53.385),
        (-1.46, 53.39),
        (-1.47, 53.39),
    ]
)


def write(tmp_path: Path, rows: list[dict[str, object]], name: str = "areas.geojson") -> Path:
    path = tmp_path / name
    gpd.GeoDataFrame(rows, crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return path


def area_count(session: Session) -> int:
    return int(session.execute(text("SELECT count(*) FROM area")).scalar_one())


def test_lossy_repair_is_refused_and_nothing_is_written(session: Session, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            {"code": "A1", "name": "Fine", "geometry": SQUARE},
            {"code": "A2", "name": "Overlapping parts", "geometry": OVERLAPPING_PARTS},
        ],
    )
    with pytest.raises(ImportRejectedError) as caught:
        run_import(session, path, "ward", vintage=2020)
    assert "A2" in caught.value.message
    assert [e["code"] for e in caught.value.errors] == ["A2"]
    assert caught.value.errors[0]["change_pct"] < -0.1
    assert area_count(session) == 0


def test_lossy_repair_is_accepted_when_forced_and_reported(
    session: Session, tmp_path: Path
) -> None:
    path = write(
        tmp_path, [{"code": "A2", "name": "Overlapping parts", "geometry": OVERLAPPING_PARTS}]
    )
    report = run_import(session, path, "ward", vintage=2020, force=True)
    assert report.count == 1
    assert [r.code for r in report.repairs] == ["A2"]


def test_safe_repair_is_made_and_reported(session: Session, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            {"code": "B1", "name": "Spiky", "geometry": SPIKE},
            {"code": "B2", "name": "Fine", "geometry": NEXT_SQUARE},
        ],
    )
    report = run_import(session, path, "ward", vintage=2020)
    assert report.count == 2
    (repair,) = report.repairs
    assert repair.code == "B1"
    assert abs(repair.change_pct) <= 0.1
    assert session.execute(text("SELECT bool_and(ST_IsValid(geom)) FROM area")).scalar_one() is True


def test_duplicate_codes_missing_names_and_points_are_all_named(
    session: Session, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        [
            {"code": "C1", "name": "One", "geometry": SQUARE},
            {"code": "C1", "name": "One again", "geometry": NEXT_SQUARE},
            {"code": "C3", "name": None, "geometry": SPIKE},
            {"code": "C4", "name": "A point", "geometry": Point(-1.4, 53.4)},
        ],
    )
    with pytest.raises(ImportRejectedError) as caught:
        run_import(session, path, "ward", vintage=2020)
    named = {e["code"] for e in caught.value.errors}
    assert {"C1", "C3", "C4"} <= named
    assert area_count(session) == 0


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_file_without_crs_in_bng_metres_is_refused_with_a_hint(
    session: Session, tmp_path: Path
) -> None:
    square_bng = Polygon([(430000, 387000), (431000, 387000), (431000, 388000), (430000, 388000)])
    path = tmp_path / "no_crs.shp"
    gpd.GeoDataFrame({"code": ["D1"], "name": ["Metres"]}, geometry=[square_bng]).to_file(path)
    with pytest.raises(ImportRejectedError) as caught:
        run_import(session, path, "ward", vintage=2020)
    assert "27700" in caught.value.message
    assert area_count(session) == 0


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_file_without_crs_is_read_with_the_crs_option(session: Session, tmp_path: Path) -> None:
    square_bng = Polygon([(430000, 387000), (431000, 387000), (431000, 388000), (430000, 388000)])
    path = tmp_path / "no_crs.shp"
    gpd.GeoDataFrame({"code": ["D1"], "name": ["Metres"]}, geometry=[square_bng]).to_file(path)
    report = run_import(session, path, "ward", vintage=2020, source_crs="EPSG:27700")
    assert report.total_km2 == pytest.approx(1.0, rel=0.01)


def test_vintage_is_required_when_the_fields_do_not_say(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, [{"code": "E1", "name": "One", "geometry": SQUARE}])
    with pytest.raises(ImportRejectedError, match="--vintage"):
        run_import(session, path, "ward")


def test_parent_type_must_be_loaded_first(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, [{"code": "F1", "name": "One", "geometry": SQUARE}])
    with pytest.raises(ImportRejectedError, match="import it first"):
        run_import(session, path, "ward", vintage=2020, parent_type="lac")
    assert area_count(session) == 0


def test_population_field_is_stored_and_kept_by_a_later_import(
    session: Session, tmp_path: Path
) -> None:
    rows: list[dict[str, object]] = [
        {"code": "P1", "name": "One", "pop": "1,520", "geometry": SQUARE},
        {"code": "P2", "name": "Two", "pop": None, "geometry": NEXT_SQUARE},
    ]
    path = write(tmp_path, rows)
    run_import(session, path, "ward", vintage=2020, population_field="POP")
    run_import(session, path, "ward", vintage=2020)  # no population this time
    population = dict(session.execute(text("SELECT code, population FROM area")).all())
    assert population == {"P1": 1520, "P2": None}


def test_bad_populations_are_all_named_and_nothing_is_written(
    session: Session, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        [
            {"code": "Q1", "name": "One", "pop": "many", "geometry": SQUARE},
            {"code": "Q2", "name": "Two", "pop": -3, "geometry": NEXT_SQUARE},
            {"code": "Q3", "name": "Three", "pop": 12.5, "geometry": SPIKE},
        ],
    )
    with pytest.raises(ImportRejectedError) as caught:
        run_import(session, path, "ward", vintage=2020, population_field="pop")
    assert [e["feature"] for e in caught.value.errors] == [0, 1, 2]
    assert all(e["field"] == "pop" for e in caught.value.errors)
    assert area_count(session) == 0


def test_a_hierarchy_that_would_loop_is_refused(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, [{"code": "G1", "name": "One", "geometry": SQUARE}])
    run_import(session, path, "ward", vintage=2020)
    run_import(session, path, "lac", vintage=2020, parent_type="ward")
    with pytest.raises(ImportRejectedError, match="loop"):
        run_import(session, path, "ward", vintage=2020, parent_type="lac")


def test_a_lookup_without_a_parent_type_is_refused(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, [{"code": "H1", "name": "One", "geometry": SQUARE}])
    with pytest.raises(ImportRejectedError, match="--parent-type"):
        run_import(session, path, "ward", vintage=2020, lookup=tmp_path / "lookup.csv")
