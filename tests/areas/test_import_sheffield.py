"""Importing the real Sheffield boundaries: every layer, the hierarchy, vintages."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.areas.conftest import SHEFFIELD_LAYERS, import_layer, run_import


def lsoa_parents(session: Session) -> dict[str, str]:
    rows = session.execute(
        text(
            "SELECT c.code, p.code FROM area c JOIN area p ON p.id = c.parent_id "
            "WHERE c.type_code = 'lsoa'"
        )
    )
    return {str(child): str(parent) for child, parent in rows}


def test_every_layer_imports_with_its_count(session: Session, gpkg: Path) -> None:
    for layer, type_code, parent, expected in SHEFFIELD_LAYERS:
        report = import_layer(session, gpkg, layer, type_code, parent)
        assert (report.inserted, report.updated) == (expected, 0), layer
    counts = dict(
        session.execute(text("SELECT type_code, count(*) FROM area GROUP BY type_code")).all()
    )
    assert counts == {t: n for _, t, _, n in SHEFFIELD_LAYERS}


def test_lsoa_total_area_is_the_published_367_9_km2(session: Session, gpkg: Path) -> None:
    report = import_layer(session, gpkg, "sheffield_lsoa2011_bgc", "lsoa")
    assert report.total_km2 == pytest.approx(367.9, abs=0.1)
    assert report.vintage == 2011
    assert report.code_field == "LSOA11CD"
    assert report.name_field == "LSOA11NM"


def test_ons_polygon_with_a_misplaced_part_keeps_its_area(session: Session, gpkg: Path) -> None:
    # E01008111 is the LSOA whose second part a naive make-valid would delete (SOURCES.md).
    import_layer(session, gpkg, "sheffield_lsoa2011_bgc", "lsoa")
    km2 = session.execute(text("SELECT area_km2 FROM area WHERE code = 'E01008111'")).scalar_one()
    assert km2 == pytest.approx(0.27, abs=0.02)


def test_neighbourhood_codes_and_names_are_detected(session: Session, gpkg: Path) -> None:
    report = import_layer(session, gpkg, "sheffield_neighbourhoods_100", "neighbourhood")
    assert (report.code_field, report.name_field) == ("nhood_code", "nhood_name")
    name = session.execute(
        text("SELECT name FROM area WHERE type_code = 'neighbourhood' AND code = '1'")
    ).scalar_one()
    assert name == "High Green"


def test_output_areas_without_names_use_their_codes(session: Session, gpkg: Path) -> None:
    report = import_layer(session, gpkg, "sheffield_oa2011_bgc", "oa")
    assert report.name_field is None
    assert (
        session.execute(
            text("SELECT count(*) FROM area WHERE type_code = 'oa' AND name <> code")
        ).scalar_one()
        == 0
    )


def test_bng_copy_imports_to_the_same_areas(session: Session, gpkg: Path, tmp_path: Path) -> None:
    lsoa = gpd.read_file(gpkg, layer="sheffield_lsoa2011_bgc")
    bng = tmp_path / "lsoa_bng.gpkg"
    lsoa.to_crs("EPSG:27700").to_file(bng, driver="GPKG")
    wgs = import_layer(session, gpkg, "sheffield_lsoa2011_bgc", "lsoa")
    km2_wgs = dict(session.execute(text("SELECT code, area_km2 FROM area")).all())
    # A second vintage, so both versions sit side by side for comparison.
    reprojected = run_import(session, bng, "lsoa", vintage=2099)
    assert reprojected.count == wgs.count == 345
    differences = session.execute(
        text(
            """
            SELECT max(ST_HausdorffDistance(a.geom, b.geom)) AS hausdorff,
                   max(abs(a.area_km2 - b.area_km2)) AS area_diff
            FROM area a JOIN area b ON a.code = b.code AND b.vintage = 2099
            WHERE a.vintage = 2011
            """
        )
    ).one()
    assert differences.hausdorff < 1e-6  # degrees: about 0.1 m
    assert differences.area_diff < 1e-6
    assert len(km2_wgs) == 345


def test_reimporting_a_vintage_updates_in_place(session: Session, gpkg: Path) -> None:
    import_layer(session, gpkg, "sheffield_wards2020_bgc", "ward")
    ids_before = dict(session.execute(text("SELECT code, id FROM area")).all())
    again = import_layer(session, gpkg, "sheffield_wards2020_bgc", "ward")
    assert (again.inserted, again.updated) == (0, 28)
    assert dict(session.execute(text("SELECT code, id FROM area")).all()) == ids_before


def test_a_new_vintage_keeps_the_old_one(session: Session, gpkg: Path) -> None:
    import_layer(session, gpkg, "sheffield_wards2020_bgc", "ward")
    run_import(session, gpkg, "ward", layer="sheffield_wards2020_bgc", vintage=2024)
    vintages = dict(
        session.execute(text("SELECT vintage, count(*) FROM area GROUP BY vintage")).all()
    )
    assert vintages == {2020: 28, 2024: 28}


def test_spatial_lsoa_to_ward_parents_agree_with_the_ons_lookup(
    session: Session, gpkg: Path, shared_data: Path
) -> None:
    import_layer(session, gpkg, "sheffield_wards2020_bgc", "ward")
    report = import_layer(session, gpkg, "sheffield_lsoa2011_bgc", "lsoa", parent="ward")
    assert report.parents is not None
    assert report.parents.method == "spatial"
    assert report.parents.assigned == 345
    with (shared_data / "sheffield_lookups/lsoa-lookup-Sheffield-2011.csv").open() as f:
        official = {row["LSOA11CD"]: row["WD17CD"] for row in csv.DictReader(f)}
    ours = lsoa_parents(session)
    agree = sum(ours.get(code) == ward for code, ward in official.items())
    assert agree / len(official) >= 0.90
    # LSOAs do not nest in 2016 wards: the ones that straddle are reported.
    assert report.parents.straddlers
    assert all(s.share is not None and s.share < 0.99 for s in report.parents.straddlers)


def test_parents_from_a_lookup_csv_follow_the_lookup(
    session: Session, gpkg: Path, shared_data: Path
) -> None:
    lookup = shared_data / "sheffield_lookups/lsoa-lookup-Sheffield-2011.csv"
    import_layer(session, gpkg, "sheffield_wards2020_bgc", "ward")
    report = import_layer(
        session, gpkg, "sheffield_lsoa2011_bgc", "lsoa", parent="ward", lookup=lookup
    )
    assert report.parents is not None
    assert report.parents.method == "lookup"
    assert report.parents.assigned == 345
    with lookup.open() as f:
        official = {row["LSOA11CD"]: row["WD17CD"] for row in csv.DictReader(f)}
    ours = lsoa_parents(session)
    assert ours == official


def test_the_hierarchy_is_recorded_as_data(session: Session, gpkg: Path) -> None:
    import_layer(session, gpkg, "sheffield_msoa2011_bgc", "msoa")
    import_layer(session, gpkg, "sheffield_lsoa2011_bgc", "lsoa", parent="msoa")
    parent = session.execute(
        text("SELECT parent_code FROM area_type WHERE code = 'lsoa'")
    ).scalar_one()
    assert parent == "msoa"
    # LSOAs nest exactly in MSOAs: every LSOA lies wholly in its parent.
    report = import_layer(session, gpkg, "sheffield_lsoa2011_bgc", "lsoa", parent="msoa")
    assert report.parents is not None
    assert report.parents.straddlers == []
