"""Detecting the code and name fields of boundary layers."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import pandas as pd
import pytest

from geodata.errors import FieldDetectionError
from geodata.fields import detect_fields


def test_ons_fields_are_detected_whatever_their_case() -> None:
    choice = detect_fields(["objectid", "lsoa21cd", "lsoa21nm", "lsoa21nmw"], "lsoa")

    assert (choice.code_field, choice.name_field) == ("lsoa21cd", "lsoa21nm")


def test_welsh_name_field_is_not_chosen_as_the_name() -> None:
    choice = detect_fields(["LAD19CD", "LAD19NMW", "LAD19NM"], "lad")

    assert choice.name_field == "LAD19NM"


def test_code_field_prefix_matching_the_area_type_wins() -> None:
    columns = ["LSOA11CD", "LSOA11NM", "WD17CD", "WD17NM", "LAD17CD", "LAD17NM"]

    assert detect_fields(columns, "ward").code_field == "WD17CD"
    assert detect_fields(columns, "ward").name_field == "WD17NM"
    assert detect_fields(columns, "lad").code_field == "LAD17CD"
    assert detect_fields(columns, "lsoa").code_field == "LSOA11CD"


def test_area_type_aliases_pick_council_style_fields() -> None:
    columns = ["objectid", "ca_number", "ca_name", "asc_name"]

    choice = detect_fields(columns, "committee")

    assert (choice.code_field, choice.name_field) == ("ca_number", "ca_name")


def test_constant_code_column_is_rejected_for_the_unique_one(
    sheffield_layer: Callable[[str], gpd.GeoDataFrame],
) -> None:
    # oa_code holds one value for all 100 neighbourhoods; asking for "oa" puts it first
    nhoods = sheffield_layer("sheffield_neighbourhoods_100")

    choice = detect_fields(nhoods, "oa")

    assert choice.code_field == "nhood_code"
    assert choice.name_field == "nhood_name"
    assert any("oa_code" in m and "1 distinct value" in m for m in choice.messages)


def test_code_column_with_blank_values_is_not_chosen_automatically() -> None:
    frame = pd.DataFrame({"area_code": ["A", None, "C"], "objectid": [1, 2, 3]})

    choice = detect_fields(frame, "ward")

    assert choice.code_field == "objectid"
    assert any("area_code" in m and "blank" in m for m in choice.messages)


def test_object_id_is_chosen_only_after_every_other_candidate() -> None:
    assert detect_fields(["OBJECTID", "ward_id", "code", "name"], "ward").code_field == "code"


def test_missing_name_field_means_the_code_is_used_with_a_message() -> None:
    choice = detect_fields(["OA11CD"], "oa")

    assert choice.name_field is None
    assert any("code (OA11CD) will be used as the name" in m for m in choice.messages)


def test_explicit_fields_are_matched_ignoring_case() -> None:
    choice = detect_fields(["WD20CD", "WD20NM"], "ward", code_field="wd20cd", name_field="Wd20nm")

    assert (choice.code_field, choice.name_field) == ("WD20CD", "WD20NM")


def test_explicit_field_that_does_not_exist_is_refused_listing_the_columns() -> None:
    with pytest.raises(FieldDetectionError) as caught:
        detect_fields(["WD20CD", "WD20NM"], "ward", code_field="ward_code")

    assert caught.value.columns == ["WD20CD", "WD20NM"]
    assert "WD20CD, WD20NM" in caught.value.message


def test_layer_without_any_code_like_column_is_refused() -> None:
    with pytest.raises(FieldDetectionError) as caught:
        detect_fields(["LONG", "LAT", "colour"], "ward")

    assert caught.value.code == "code_field_not_found"
    assert caught.value.hint is not None
    assert "--code-field" in caught.value.hint


def test_geometry_column_is_not_offered_as_a_column() -> None:
    gdf = gpd.GeoDataFrame({"code": ["a"]}, geometry=gpd.points_from_xy([0], [0]))

    with pytest.raises(FieldDetectionError) as caught:
        detect_fields(gdf, "ward", name_field="nope")

    assert caught.value.columns == ["code"]
