"""Preparing areas: every feature problem is reported at once, clean output otherwise."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geodata.errors import CrsError, FeatureValidationError, RepairRefusedError
from geodata.fields import FieldChoice
from geodata.validation import prepare_areas

CHOICE = FieldChoice(code_field="code_in", name_field="name_in")


def _square(x: float, y: float = 53.4, size: float = 0.01) -> Polygon:
    return shapely.box(x, y, x + size, y + size)


def _layer(
    rows: list[tuple[object, object, BaseGeometry | None]], crs: str | None = "EPSG:4326"
) -> gpd.GeoDataFrame:
    codes, names, geometries = zip(*rows, strict=True)
    return gpd.GeoDataFrame(
        {"code_in": codes, "name_in": names}, geometry=list(geometries), crs=crs
    )


def _problems(rows: list[tuple[object, object, BaseGeometry | None]]) -> set[tuple[int, str]]:
    with pytest.raises(FeatureValidationError) as caught:
        prepare_areas(_layer(rows), CHOICE)
    return {(p.index, p.kind) for p in caught.value.problems}


def test_clean_layer_gives_code_name_and_multipolygons_in_wgs84() -> None:
    prepared = prepare_areas(
        _layer([("A", "Alpha", _square(0)), ("B", "Beta", _square(1))]), CHOICE
    )

    assert list(prepared.gdf.columns) == ["code", "name", "geometry"]
    assert list(prepared.gdf["code"]) == ["A", "B"]
    assert list(prepared.gdf["name"]) == ["Alpha", "Beta"]
    assert all(isinstance(g, MultiPolygon) for g in prepared.gdf.geometry)
    assert prepared.gdf.crs.to_epsg() == 4326
    assert prepared.repairs == []


def test_integer_valued_codes_lose_their_decimal_part_and_whitespace() -> None:
    prepared = prepare_areas(
        _layer([(1.0, "One", _square(0)), (" 02 ", "Two", _square(1)), (3, "Three", _square(2))]),
        CHOICE,
    )

    assert list(prepared.gdf["code"]) == ["1", "02", "3"]


def test_code_is_used_as_name_when_there_is_no_name_field() -> None:
    prepared = prepare_areas(
        _layer([("E00000001", None, _square(0))]), FieldChoice("code_in", None)
    )

    assert list(prepared.gdf["name"]) == ["E00000001"]


def test_every_problem_of_every_feature_is_reported_together() -> None:
    rows: list[tuple[object, object, BaseGeometry | None]] = [
        ("A", "Alpha", _square(0)),
        ("A", "Alpha again", _square(1)),  # duplicate code
        ("C", "  ", _square(2)),  # blank name
        ("D", "Delta", Point(3, 53)),  # not a polygon
        ("E", "Echo", Polygon()),  # empty geometry
        (None, "Foxtrot", None),  # blank code and missing geometry
        ("G", "Golf", _square(6)),  # fine
    ]

    problems = _problems(rows)

    assert problems == {
        (0, "duplicate_code"),
        (1, "duplicate_code"),
        (2, "missing_name"),
        (3, "not_polygon"),
        (4, "empty_geometry"),
        (5, "missing_code"),
        (5, "missing_geometry"),
    }


def test_duplicate_codes_name_every_duplicate_with_its_index() -> None:
    rows: list[tuple[object, object, BaseGeometry | None]] = [
        ("X", "one", _square(0)),
        ("Y", "two", _square(1)),
        ("X", "three", _square(2)),
        ("X", "four", _square(3)),
    ]

    with pytest.raises(FeatureValidationError) as caught:
        prepare_areas(_layer(rows), CHOICE)
    message = caught.value.message

    assert [p.index for p in caught.value.problems] == [0, 2, 3]
    assert "feature #0 (code 'X'): duplicate code 'X', also used by feature(s) #2, #3" in message
    assert "feature #3 (code 'X'): duplicate code 'X', also used by feature(s) #0, #2" in message


def test_problem_message_names_features_by_index_and_code_and_hints() -> None:
    with pytest.raises(FeatureValidationError) as caught:
        prepare_areas(_layer([("P1", "Pub", Point(0, 53)), ("L1", "Lane", _square(1))]), CHOICE)

    assert caught.value.code == "invalid_features"
    assert "feature #0 (code 'P1'): the geometry is a Point, not a polygon" in str(caught.value)
    assert caught.value.hint is not None
    assert "polygons" in caught.value.hint


def test_geometry_collection_with_a_line_is_not_a_polygon() -> None:
    collection = shapely.GeometryCollection([_square(0), shapely.LineString([(0, 0), (1, 1)])])

    assert _problems([("A", "a", collection)]) == {(0, "not_polygon")}


def test_polygon_only_geometry_collection_is_accepted_as_a_multipolygon() -> None:
    collection = shapely.GeometryCollection([_square(0), _square(1)])

    prepared = prepare_areas(_layer([("A", "a", collection)]), CHOICE)

    assert len(prepared.gdf.geometry.iloc[0].geoms) == 2


def test_z_coordinates_are_dropped() -> None:
    polygon_z = Polygon([(0, 53, 5), (1, 53, 5), (1, 54, 5), (0, 53, 5)])

    prepared = prepare_areas(_layer([("A", "a", polygon_z)]), CHOICE)

    assert not prepared.gdf.geometry.iloc[0].has_z


def test_progress_is_called_once_per_feature() -> None:
    calls: list[int] = []

    prepare_areas(
        _layer([("A", "a", _square(0)), ("B", "b", _square(1))]), CHOICE, progress=calls.append
    )

    assert calls == [1, 1]


def test_areas_not_in_wgs84_are_refused() -> None:
    with pytest.raises(CrsError) as caught:
        prepare_areas(
            _layer([("A", "a", _square(400_000, 380_000, 100))], crs="EPSG:27700"), CHOICE
        )

    assert caught.value.code == "not_wgs84"


def test_sheffield_neighbourhoods_prepare_with_string_codes(
    sheffield_areas: Callable[[str, str], gpd.GeoDataFrame],
) -> None:
    areas = sheffield_areas("sheffield_neighbourhoods_100", "neighbourhood")

    assert len(areas) == 100
    assert set(areas["code"]) == {str(n) for n in range(1, 101)}
    assert areas.loc[areas["code"] == "1", "name"].item() == "High Green"


def _nested_part_with_enclave() -> tuple[MultiPolygon, Polygon]:
    # An area drawn as an outer part with a part nested inside it: the nested part is
    # really a hole, and the enclave it marks belongs to a neighbour.
    outer = _square(0, size=0.03)
    inner = _square(0.01, 53.41, size=0.01)
    return MultiPolygon([outer, inner]), inner


def test_nested_part_is_read_as_a_hole_when_a_neighbour_holds_the_enclave() -> None:
    nested, enclave = _nested_part_with_enclave()
    prepared = prepare_areas(_layer([("A", "Outer", nested), ("B", "Enclave", enclave)]), CHOICE)

    (repair,) = prepared.repairs
    assert repair.accepted
    assert repair.lost_area_held_by == ("B",)
    assert repair.change_pct < -0.1
    outer = prepared.gdf.geometry.iloc[0]
    assert outer.intersection(prepared.gdf.geometry.iloc[1]).area == pytest.approx(0, abs=1e-12)


def test_nested_part_is_refused_when_no_neighbour_holds_the_lost_area() -> None:
    nested, _ = _nested_part_with_enclave()
    with pytest.raises(RepairRefusedError) as caught:
        prepare_areas(_layer([("A", "Outer", nested), ("C", "Elsewhere", _square(5))]), CHOICE)
    (refused,) = caught.value.reports
    assert refused.code == "A"
    assert refused.lost_area_held_by == ()
