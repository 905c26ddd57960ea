"""Repairing invalid geometries: measured, reported, and refused when area would be lost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geodata.errors import FeatureValidationError, RepairRefusedError
from geodata.fields import FieldChoice
from geodata.reading import to_wgs84
from geodata.repair import (
    MAX_REPAIR_CHANGE_PCT,
    equal_area_km2,
    even_odd_geometry,
    repair_geometry,
)
from geodata.validation import prepare_areas

CHOICE = FieldChoice(code_field="code", name_field=None)

# Hand-made shapes in lon/lat around Sheffield (0.01 degree is about 0.7 km by 1.1 km).
SMALL_SHELL = shapely.box(-1.500, 53.400, -1.499, 53.401)
# a true second part, touching the first as in LSOA E01008111, stored as a hole lying outside
# the shell, as esri2sf did to ONS data
FAR_RING = shapely.box(-1.499, 53.400, -1.489, 53.410).exterior
PART_STORED_AS_HOLE = Polygon(SMALL_SHELL.exterior, [FAR_RING])
# the same lake digitised twice: even-odd reads no hole, make_valid keeps one
LAKE = shapely.box(-1.498, 53.402, -1.496, 53.404).exterior
DOUBLE_HOLE = Polygon(shapely.box(-1.50, 53.40, -1.49, 53.41).exterior, [LAKE, LAKE])
BOWTIE = Polygon([(-1.50, 53.40), (-1.49, 53.41), (-1.49, 53.40), (-1.50, 53.41)])
SPIKE = Polygon(
    [
        (-1.50, 53.40),
        (-1.49, 53.40),
        (-1.49, 53.405),
        (-1.48, 53.405),
        (-1.49, 53.405),
        (-1.49, 53.41),
        (-1.50, 53.41),
    ]
)
FLAT = Polygon([(-1.50, 53.40), (-1.49, 53.40), (-1.48, 53.40), (-1.50, 53.40)])

# GEOS's "structure" repair (like s2 in R sf) drops a part stored as a hole outside its shell.
structure_make_valid = partial(shapely.make_valid, method="structure", keep_collapsed=False)


def _layer(*geometries: BaseGeometry) -> gpd.GeoDataFrame:
    codes = [f"A{i}" for i in range(len(geometries))]
    return gpd.GeoDataFrame({"code": codes}, geometry=list(geometries), crs="EPSG:4326")


def test_even_odd_area_counts_a_part_stored_as_a_hole_outside_the_shell() -> None:
    expected = shapely.union(SMALL_SHELL, Polygon(FAR_RING))

    assert even_odd_geometry(PART_STORED_AS_HOLE).symmetric_difference(expected).area == 0


def test_equal_area_of_a_hundredth_degree_square_at_sheffield_is_about_0_74_km2() -> None:
    # 0.01 degree of latitude is 1.113 km, of longitude at 53.4 N 0.665 km
    assert equal_area_km2(shapely.box(-1.50, 53.40, -1.49, 53.41)) == pytest.approx(
        0.740, abs=0.002
    )


def test_part_stored_as_a_hole_is_kept_by_make_valid_and_accepted() -> None:
    # GEOS >= 3.10 "linework" make_valid keeps the misplaced part (R sf's s2 repair did not)
    prepared = prepare_areas(_layer(PART_STORED_AS_HOLE), CHOICE)
    [report] = prepared.repairs

    assert report.accepted
    assert report.hole_outside_shell
    assert abs(report.change_pct) < MAX_REPAIR_CHANGE_PCT
    assert prepared.gdf.geometry.iloc[0].covers(Polygon(FAR_RING))
    assert prepared.gdf.geometry.iloc[0].area == pytest.approx(
        SMALL_SHELL.area + Polygon(FAR_RING).area
    )


def test_real_lsoa_e01008111_broken_as_upstream_is_repaired_to_its_true_shape(
    sheffield_layer: Callable[[str], gpd.GeoDataFrame],
) -> None:
    # SOURCES.md: upstream stored this LSOA's second part as a hole; R's repair kept 0.003 km²
    lsoas = to_wgs84(sheffield_layer("sheffield_lsoa2011_bgc"))
    position = int((lsoas["LSOA11CD"] == "E01008111").to_numpy().argmax())
    true_shape = lsoas.geometry.iloc[position]
    small, big = sorted(true_shape.geoms, key=lambda part: part.area)
    lsoas.loc[lsoas.index[position], "geometry"] = Polygon(small.exterior, [big.exterior])

    prepared = prepare_areas(lsoas, FieldChoice("LSOA11CD", "LSOA11NM"))
    [report] = prepared.repairs

    assert (report.index, report.code, report.accepted) == (position, "E01008111", True)
    assert report.area_before == pytest.approx(0.27, abs=0.01)
    assert report.area_after == pytest.approx(report.area_before, rel=1e-6)
    assert prepared.gdf.geometry.iloc[position].symmetric_difference(true_shape).area < 1e-12


def test_repair_dropping_a_part_stored_as_a_hole_is_refused() -> None:
    repaired, report = repair_geometry(
        PART_STORED_AS_HOLE, index=7, code="E01008111", make_valid=structure_make_valid
    )

    assert not report.accepted
    assert report.hole_outside_shell
    assert report.change_pct < -90
    assert repaired.area == pytest.approx(SMALL_SHELL.area)


def test_repair_dropping_a_part_stored_as_a_hole_is_accepted_with_force() -> None:
    _, report = repair_geometry(
        PART_STORED_AS_HOLE, index=7, code="E01008111", force=True, make_valid=structure_make_valid
    )

    assert report.accepted
    assert report.change_pct < -90


def test_refusal_message_gives_areas_change_and_the_multipart_and_force_hints() -> None:
    _, report = repair_geometry(
        PART_STORED_AS_HOLE, index=7, code="E01008111", make_valid=structure_make_valid
    )

    error = RepairRefusedError([report], MAX_REPAIR_CHANGE_PCT)
    text = str(error)

    assert error.code == "repair_refused"
    assert error.reports == [report]
    assert "feature #7 (code 'E01008111')" in text
    assert f"{report.area_before:.4f} km² before" in text
    assert f"({report.change_pct:+.2f}%)" in text
    assert "multi-part polygon whose second part was stored as a hole" in text
    assert "--force" in text


def test_lossy_repair_refuses_the_whole_import() -> None:
    with pytest.raises(RepairRefusedError) as caught:
        prepare_areas(_layer(shapely.box(0, 53, 0.01, 53.01), DOUBLE_HOLE), CHOICE)

    [report] = caught.value.reports
    assert (report.index, report.code, report.accepted) == (1, "A1", False)
    assert report.change_pct == pytest.approx(-4.0, abs=0.1)
    assert not report.hole_outside_shell
    assert "stored as a hole" not in str(caught.value)


def test_lossy_repair_is_accepted_and_reported_with_force() -> None:
    prepared = prepare_areas(_layer(DOUBLE_HOLE), CHOICE, force=True)
    [report] = prepared.repairs

    assert report.accepted
    assert report.change_pct == pytest.approx(-4.0, abs=0.1)
    assert prepared.gdf.geometry.iloc[0].is_valid
    assert any("--force accepted 1 repair" in m for m in prepared.messages)


def test_overlapping_parts_whose_overlap_would_become_a_hole_are_refused_with_a_hint() -> None:
    overlapping = MultiPolygon(
        [shapely.box(-1.50, 53.40, -1.48, 53.42), shapely.box(-1.49, 53.41, -1.47, 53.43)]
    )

    with pytest.raises(RepairRefusedError) as caught:
        prepare_areas(_layer(overlapping), CHOICE)

    [report] = caught.value.reports
    assert report.overlapping_parts
    assert report.change_pct == pytest.approx(-100 / 7, abs=0.1)  # 1 of 7 squares lost
    assert "parts overlap or nest" in str(caught.value)


def test_part_nested_in_another_is_refused_and_read_as_a_hole_with_force() -> None:
    # like national BSC LSOA E01018992, whose nested part is filled by its neighbour
    outer, inner = shapely.box(-1.50, 53.40, -1.46, 53.44), shapely.box(-1.49, 53.41, -1.48, 53.42)
    nested = MultiPolygon([outer, inner])

    with pytest.raises(RepairRefusedError):
        prepare_areas(_layer(nested), CHOICE)
    prepared = prepare_areas(_layer(nested), CHOICE, force=True)

    assert prepared.repairs[0].accepted
    assert prepared.gdf.geometry.iloc[0].equals(
        MultiPolygon([Polygon(outer.exterior, [inner.exterior])])
    )


def test_bowtie_is_repaired_into_two_triangles_and_reported() -> None:
    prepared = prepare_areas(_layer(BOWTIE), CHOICE)
    [report] = prepared.repairs
    geometry = prepared.gdf.geometry.iloc[0]

    assert report.accepted
    assert report.reason.startswith("Self-intersection")
    assert abs(report.change_pct) < 1e-6
    assert (report.parts_before, report.parts_after) == (1, 2)
    assert isinstance(geometry, MultiPolygon)
    assert geometry.is_valid
    assert any("Repaired 1 invalid geometry" in m for m in prepared.messages)


def test_ring_with_a_spike_loses_only_the_spike() -> None:
    prepared = prepare_areas(_layer(SPIKE), CHOICE)
    [report] = prepared.repairs
    geometry = prepared.gdf.geometry.iloc[0]

    assert report.accepted
    assert abs(report.change_pct) < 1e-6
    assert geometry.is_valid
    assert geometry.equals(MultiPolygon([shapely.box(-1.50, 53.40, -1.49, 53.41)]))


def test_polygon_with_no_area_is_a_feature_problem_not_a_repair() -> None:
    with pytest.raises(FeatureValidationError) as caught:
        prepare_areas(_layer(shapely.box(0, 53, 0.01, 53.01), FLAT), CHOICE)

    assert [(p.index, p.kind) for p in caught.value.problems] == [(1, "repair_collapsed")]


def test_accepted_report_is_described_with_its_area_change() -> None:
    _, report = repair_geometry(BOWTIE, index=3, code="B")

    assert (
        replace(report, change_pct=0.05)
        .describe()
        .startswith("feature #3 (code 'B') repaired: Self-intersection")
    )
