"""Reading child -> parent lookups and finding their columns by value."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest

from geodata.errors import FieldDetectionError, LookupFileError
from geodata.lookup import read_lookup


@pytest.fixture(scope="module")
def lsoa_and_ward_codes(
    sheffield_layer: Callable[[str], gpd.GeoDataFrame],
) -> tuple[set[str], set[str]]:
    lsoas = set(sheffield_layer("sheffield_lsoa2011_bgc")["LSOA11CD"])
    wards = set(sheffield_layer("sheffield_wards2020_bgc")["WD20CD"])
    return lsoas, wards


def test_sheffield_lsoa_to_ward_lookup_columns_are_detected_by_their_values(
    shared_data: Path, lsoa_and_ward_codes: tuple[set[str], set[str]]
) -> None:
    lsoas, wards = lsoa_and_ward_codes

    table = read_lookup(
        shared_data / "sheffield_lookups" / "lsoa-lookup-Sheffield-2011.csv", lsoas, wards
    )

    assert (table.child_field, table.parent_field) == ("LSOA11CD", "WD17CD")
    assert len(table.mapping) == 345
    assert set(table.mapping.values()) == wards
    assert table.mapping["E01033261"] == "E05010862"  # Sheffield 073A is in City ward
    assert table.child_to_parent is table.mapping
    assert table.unknown_children == table.unknown_parents == table.unmapped_children == []


def test_south_yorkshire_lookup_maps_sheffield_and_lists_other_lsoas_as_unknown(
    shared_data: Path, lsoa_and_ward_codes: tuple[set[str], set[str]]
) -> None:
    lsoas, wards = lsoa_and_ward_codes

    table = read_lookup(shared_data / "sheffield_lookups" / "lsoa-lookup-SY-2011.csv", lsoas, wards)

    assert len(table.mapping) == 345
    assert len(table.unknown_children) == 853 - 345


def test_ward_to_committee_lookup_detects_the_numeric_parent_column(shared_data: Path) -> None:
    path = shared_data / "sheffield_population" / "sheffield_lkup_ward_lac.csv"
    wards = {f"E050108{n}" for n in range(57, 85)}

    table = read_lookup(path, wards, {str(n) for n in range(1, 8)})

    assert (table.child_field, table.parent_field) == ("Ward Code", "ca_number")
    assert len(table.mapping) == 28


def test_byte_order_mark_and_blank_row_index_header_are_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_bytes('\ufeff"","nhood","lac"\n"1","1","2"\n"2","2","1"\n"3","3","1"\n'.encode())

    table = read_lookup(path, {"1", "2", "3"}, {"1", "2"})

    # the unnamed R row index matches the child codes as well; the named column wins
    assert (table.child_field, table.parent_field) == ("nhood", "lac")
    assert table.mapping == {"1": "2", "2": "1", "3": "1"}


def test_child_mapped_to_two_parents_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("lsoa,ward\nL1,W1\nL2,W1\nL2,W2\n")

    with pytest.raises(LookupFileError) as caught:
        read_lookup(path, {"L1", "L2"}, {"W1", "W2"})

    assert caught.value.code == "ambiguous_lookup"
    assert "L2 -> W1, W2" in caught.value.message


def test_explicit_columns_are_matched_ignoring_case(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("LSOA,WARD,OLD_WARD\nL1,W1,W2\n")

    table = read_lookup(path, {"L1"}, {"W1", "W2"}, child_field="lsoa", parent_field="old_ward")

    assert table.mapping == {"L1": "W2"}


def test_unknown_explicit_column_is_refused_listing_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("lsoa,ward\nL1,W1\n")

    with pytest.raises(FieldDetectionError) as caught:
        read_lookup(path, {"L1"}, {"W1"}, parent_field="msoa")

    assert caught.value.columns == ["lsoa", "ward"]


def test_lookup_without_the_parent_codes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("lsoa,ward\nL1,W1\n")

    with pytest.raises(FieldDetectionError) as caught:
        read_lookup(path, {"L1"}, {"X9"})

    assert caught.value.code == "parent_field_not_found"


def test_rows_with_unknown_parents_are_left_out_and_listed(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("lsoa,ward\nL1,W1\nL2,W9\n")

    table = read_lookup(path, {"L1", "L2"}, {"W1"})

    assert table.mapping == {"L1": "W1"}
    assert table.unknown_parents == ["W9"]
    assert table.unmapped_children == ["L2"]
