"""Reading observation uploads: CSV (long and wide) and JSON, encodings, numbers, errors."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from app.uploads.layouts.observation_layouts import read_observations
from app.uploads.layouts.observation_rows import ObservationRow, ParsedObservations
from app.uploads.reading import MAX_ROW_ERRORS as MAX_ERRORS
from app.uploads.reading import FormatError as UploadFormatError
from app.uploads.reading import RowError

CODES = frozenset({"crime_rate", "imd_rank", "imd_decile", "Pupils_FSM"})
LONG_HEADER = b"area_code,period,indicator,value\n"

IMD_DIR = "imd2019"
SHEFFIELD_IMD = "sheffield_File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"
NATIONAL_IMD = "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
IMD_HEADERS = {
    "Index of Multiple Deprivation (IMD) Rank": "imd_rank",
    "Index of Multiple Deprivation (IMD) Decile": "imd_decile",
}


def parse(
    data: bytes,
    content_type: str = "text/csv",
    codes: frozenset[str] = CODES,
    default_period: str | None = None,
) -> ParsedObservations:
    return read_observations(io.BytesIO(data), content_type, codes, default_period=default_period)


def long_value(cell: bytes) -> ParsedObservations:
    """A long upload of one observation whose value cell is ``cell``."""
    return parse(LONG_HEADER + b"E01000001,2021-03,crime_rate," + cell + b"\n")


def row(number: int, area: str, period: str, indicator: str, value: float) -> ObservationRow:
    return ObservationRow(number, area, period, indicator, value, None, None)


def as_json(document: Any) -> bytes:
    return json.dumps(document).encode()


def observation(**fields: Any) -> dict[str, Any]:
    record = {"area_code": "E01000001", "period": "2021", "indicator": "imd_rank", "value": 5}
    return {**record, **fields}


# --- long layout -----------------------------------------------------------------------------


def test_long_csv_gives_one_row_per_line() -> None:
    upload = parse(
        LONG_HEADER + b"E01000001,2021-03,crime_rate,12.5\nE01000002,2021-03,imd_rank,7\n"
    )
    assert upload.rows == [
        row(2, "E01000001", "2021-03", "crime_rate", 12.5),
        row(3, "E01000002", "2021-03", "imd_rank", 7.0),
    ]
    assert (upload.errors, upload.layout) == ([], "long")


def test_long_csv_reads_numerator_and_denominator() -> None:
    upload = parse(
        b"area_code,period,indicator,value,numerator,denominator\n"
        b"E01000001,2021,crime_rate,0.25,5,20\n"
    )
    assert upload.rows == [ObservationRow(2, "E01000001", "2021", "crime_rate", 0.25, 5.0, 20.0)]


def test_blank_numerator_and_denominator_are_none() -> None:
    upload = parse(
        b"area_code,period,indicator,value,numerator,denominator\nE01000001,2021,crime_rate,3,,\n"
    )
    assert (upload.rows[0].numerator, upload.rows[0].denominator) == (None, None)


def test_invalid_numerator_is_a_row_error() -> None:
    upload = parse(
        b"area_code,period,indicator,value,numerator,denominator\nE01000001,2021,crime_rate,3,x5,\n"
    )
    assert upload.errors == [RowError(2, "numerator", "x5", "'x5' is not a number")]


def test_cells_are_stripped() -> None:
    upload = parse(LONG_HEADER + b" E01000001 , 2021-03 , crime_rate ,  12.0 \n")
    assert upload.rows == [row(2, "E01000001", "2021-03", "crime_rate", 12.0)]


def test_blank_lines_are_skipped_but_counted_as_rows() -> None:
    upload = parse(LONG_HEADER + b"\nE01000001,2021,crime_rate,1\n")
    assert [r.row for r in upload.rows] == [3]


def test_quoted_cell_with_a_line_break_is_one_spreadsheet_row() -> None:
    upload = parse(
        b'area_code,name,imd_rank\nE01000001,"Sheffield\n069A",5\nE01000002,Sheffield 066A,6\n',
        default_period="2019",
    )
    assert [r.row for r in upload.rows] == [2, 3]


def test_long_layout_takes_the_default_period_without_a_period_column() -> None:
    upload = parse(b"area_code,indicator,value\nE01000001,crime_rate,1\n", default_period="2021")
    assert upload.rows[0].period == "2021"
    assert any("no period column" in note for note in upload.notes)


def test_period_column_wins_over_the_default_period() -> None:
    upload = parse(LONG_HEADER + b"E01000001,2020,crime_rate,1\n", default_period="2021")
    assert upload.rows[0].period == "2020"
    assert any("default period 2021 is not used" in note for note in upload.notes)


def test_extra_columns_of_a_long_file_are_noted_as_ignored() -> None:
    upload = parse(b"area_code,area_name,period,indicator,value\nE01000001,A,2021,crime_rate,1\n")
    assert "Ignored columns: 'area_name'." in upload.notes


# --- headers ---------------------------------------------------------------------------------


def test_headers_match_ignoring_case_spaces_and_punctuation() -> None:
    upload = parse(b"Area Code,PERIOD,Indicator , Value.\nE01000001,2021,crime_rate,1\n")
    assert upload.rows == [row(2, "E01000001", "2021", "crime_rate", 1.0)]


@pytest.mark.parametrize(
    "header",
    [
        "area",
        "code",
        "area code",
        "Area_Code",
        "LSOA code",
        "LSOA11CD",
        "LSOA21CD",
        "WD20CD",
        "MSOA11CD",
        "LSOA code (2011)",
        "geography code",
    ],
)
def test_area_column_aliases_are_recognised(header: str) -> None:
    upload = parse(f"{header},period,indicator,value\nE01000001,2021,crime_rate,1\n".encode())
    assert upload.rows[0].area_code == "E01000001"


@pytest.mark.parametrize("header", ["period", "Date", "month", "year", "time_period"])
def test_period_column_aliases_are_recognised(header: str) -> None:
    upload = parse(f"area_code,{header},indicator,value\nE01000001,2021,crime_rate,1\n".encode())
    assert upload.rows[0].period == "2021"


def test_column_read_under_another_name_is_noted() -> None:
    upload = parse(b"LSOA11CD,period,indicator,value\nE01000001,2021,crime_rate,1\n")
    assert "Column 'LSOA11CD' is read as area_code." in upload.notes


def test_finest_area_column_wins_and_the_other_is_ignored() -> None:
    upload = parse(
        b"Local Authority District code (2019),LSOA code (2011),imd_rank\nE08000019,E01007823,5\n",
        default_period="2019",
    )
    assert upload.rows[0].area_code == "E01007823"
    assert any("'Local Authority District code (2019)'" in note for note in upload.notes)


def test_two_equally_good_area_columns_are_refused() -> None:
    with pytest.raises(UploadFormatError, match="'LSOA11CD', 'LSOA21CD' could each be"):
        parse(b"LSOA11CD,LSOA21CD,period,indicator,value\nE01,E01,2021,crime_rate,1\n")


def test_missing_area_column_is_refused_listing_the_columns() -> None:
    with pytest.raises(UploadFormatError, match="no area code column among 'place', 'period'"):
        parse(b"place,period,indicator,value\nE01000001,2021,crime_rate,1\n")


def test_long_file_without_value_column_is_refused() -> None:
    with pytest.raises(UploadFormatError, match="no value column among 'area_code', 'period'"):
        parse(b"area_code,period,indicator,amount\nE01000001,2021,crime_rate,1\n")


def test_missing_period_column_without_default_is_refused() -> None:
    with pytest.raises(UploadFormatError, match=r"add one \(named period\).*\?period="):
        parse(b"area_code,indicator,value\nE01000001,crime_rate,1\n")


# --- wide layout -----------------------------------------------------------------------------


def test_wide_csv_gives_one_row_per_indicator_cell() -> None:
    upload = parse(b"area_code,period,imd_rank,imd_decile\nE01000001,2019,29199,9\n")
    assert upload.rows == [
        row(2, "E01000001", "2019", "imd_rank", 29199.0),
        row(2, "E01000001", "2019", "imd_decile", 9.0),
    ]
    assert upload.layout == "wide"


def test_wide_columns_match_codes_ignoring_case_and_return_their_spelling() -> None:
    upload = parse(b"area_code,period,IMD_RANK,pupils_fsm\nE01000001,2019,1,2\n")
    assert [r.indicator for r in upload.rows] == ["imd_rank", "Pupils_FSM"]


def test_wide_columns_match_codes_ignoring_spaces() -> None:
    upload = parse(b"area_code,period,IMD Rank\nE01000001,2019,1\n")
    assert upload.rows[0].indicator == "imd_rank"


def test_wide_file_takes_the_default_period() -> None:
    upload = parse(b"area_code,imd_rank\nE01000001,1\n", default_period="2019")
    assert upload.rows[0].period == "2019"


def test_wide_file_without_period_or_default_is_refused() -> None:
    with pytest.raises(UploadFormatError, match=r"\?period="):
        parse(b"area_code,imd_rank\nE01000001,1\n")


def test_wide_name_column_is_noted_as_ignored() -> None:
    upload = parse(
        b"LSOA code (2011),LSOA name (2011),imd_rank\nE01007823,Sheffield 069A,15042\n",
        default_period="2019",
    )
    assert "Ignored columns (not known indicator codes): 'LSOA name (2011)'." in upload.notes


def test_wide_column_close_to_a_code_is_suggested() -> None:
    upload = parse(b"area_code,imd_rnk,imd_decile\nE01000001,1,2\n", default_period="2019")
    assert any("'imd_rnk' (did you mean 'imd_rank'?)" in note for note in upload.notes)


def test_wide_file_without_indicator_columns_names_the_closest_codes() -> None:
    with pytest.raises(UploadFormatError, match="closest known codes are imd_rank"):
        parse(b"area_code,period,imd_rnk\nE01000001,2019,1\n")


def test_two_columns_for_one_indicator_are_refused() -> None:
    with pytest.raises(UploadFormatError, match="both indicator imd_rank"):
        parse(b"area_code,period,imd_rank,IMD Rank\nE01000001,2019,1,2\n")


def test_blank_wide_cell_gives_no_row_and_is_counted() -> None:
    upload = parse(b"area_code,period,imd_rank,imd_decile\nE01000001,2019,,9\nE01000002,2019,,\n")
    assert [(r.area_code, r.indicator) for r in upload.rows] == [("E01000001", "imd_decile")]
    assert "3 blank cell(s) left no value." in upload.notes


def test_wide_file_with_only_blank_cells_is_refused() -> None:
    with pytest.raises(UploadFormatError, match="every indicator cell is blank"):
        parse(b"area_code,period,imd_rank\nE01000001,2019,\n")


def test_suppressed_wide_cell_asks_to_leave_it_empty() -> None:
    upload = parse(b"area_code,period,imd_rank\nE01000001,2019,c\n")
    assert upload.errors[0].reason.endswith("leave the cell empty")


def test_duplicate_wide_row_names_the_earlier_row_and_column() -> None:
    upload = parse(b"area_code,period,imd_rank\nE01000001,2019,1\nE01000001,2019,2\n")
    assert upload.errors == [
        RowError(
            3,
            "imd_rank",
            None,
            "duplicate: area E01000001, period 2019, indicator imd_rank is already on row 2",
        )
    ]


# --- content types and encodings -------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["text/csv", "application/csv", "text/plain", "text/csv; charset=utf-8", "Text/CSV"],
)
def test_csv_content_types_are_read_as_csv(content_type: str) -> None:
    upload = parse(LONG_HEADER + b"E01000001,2021,crime_rate,1\n", content_type)
    assert len(upload.rows) == 1


def test_unsupported_content_type_is_refused() -> None:
    with pytest.raises(UploadFormatError, match="image/png are not accepted"):
        parse(b"x", "image/png")


def test_excel_content_type_is_refused_asking_for_csv() -> None:
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    with pytest.raises(UploadFormatError, match="save the workbook as CSV"):
        parse(b"x", xlsx)


def test_csv_sent_with_excels_registered_type_is_read() -> None:
    # Browsers on Windows send .csv files as application/vnd.ms-excel.
    upload = parse(LONG_HEADER + b"E01000001,2021,crime_rate,1\n", "application/vnd.ms-excel")
    assert len(upload.rows) == 1


@pytest.mark.parametrize(
    ("head", "what"),
    # Gzip is decompressed now: these bytes are damaged gzip, refused as such.
    [(b"PK\x03\x04", "Excel workbook"), (b"\xd0\xcf\x11\xe0", ".xls"), (b"\x1f\x8b", "gzip")],
)
def test_binary_files_sent_as_csv_are_refused(head: bytes, what: str) -> None:
    with pytest.raises(UploadFormatError, match=what):
        parse(head + b"\x00\x01rest")


def test_nul_bytes_without_byte_order_mark_are_refused() -> None:
    with pytest.raises(UploadFormatError, match="NUL bytes"):
        parse("area_code,imd_rank\n".encode("utf-16-le"))


def test_utf8_without_bom_is_read_as_utf8() -> None:
    upload = parse(b"area_code,period,indicator,value\nCaf\xc3\xa9,2021,crime_rate,1\n")
    assert (upload.encoding, upload.rows[0].area_code) == ("utf-8", "Café")


def test_utf8_bom_is_not_part_of_the_first_header() -> None:
    upload = parse(b"\xef\xbb\xbf" + LONG_HEADER + b"E01000001,2021,crime_rate,1\n")
    assert (upload.encoding, upload.rows[0].area_code) == ("utf-8-sig", "E01000001")


def test_file_that_is_not_utf8_is_read_as_windows_1252() -> None:
    upload = parse(LONG_HEADER + b"\xa3 Caf\xe9 \x80,2021,crime_rate,1\n")
    assert (upload.encoding, upload.rows[0].area_code) == ("cp1252", "£ Café €")


def test_windows_1252_guess_is_noted_with_the_line() -> None:
    upload = parse(LONG_HEADER + b"Caf\xe9,2021,crime_rate,1\n")
    assert upload.notes[0].startswith(
        "The file is not valid UTF-8 (byte 0xe9 on line 2 is not), so it was read as Windows-1252"
    )


def test_windows_1252_pound_sign_in_an_ignored_header_comes_through() -> None:
    upload = parse(b"area_code,Spend (\xa3),imd_rank\nE01000001,12,1\n", default_period="2019")
    assert any("'Spend (£)'" in note for note in upload.notes)


def test_bytes_undefined_in_windows_1252_are_read_as_latin1() -> None:
    upload = parse(LONG_HEADER + b"A\x81\xe9,2021,crime_rate,1\n")
    assert (upload.encoding, upload.rows[0].area_code) == ("latin-1", "A\x81é")


def test_utf8_bom_of_a_file_read_as_windows_1252_is_skipped() -> None:
    upload = parse(b"\xef\xbb\xbf" + LONG_HEADER + b"Caf\xe9,2021,crime_rate,1\n")
    assert (upload.encoding, upload.rows[0].area_code) == ("cp1252", "Café")


def test_explicit_charset_wins_over_detection() -> None:
    upload = parse(LONG_HEADER + b"Caf\xc3\xa9,2021,crime_rate,1\n", "text/csv; charset=latin-1")
    assert (upload.encoding, upload.rows[0].area_code) == ("iso8859-1", "CafÃ©")


def test_explicit_charset_that_does_not_fit_is_refused() -> None:
    with pytest.raises(UploadFormatError, match=r"charset=utf-8 but byte 0xa3 on line 2"):
        parse(LONG_HEADER + b"\xa3,2021,crime_rate,1\n", 'text/csv; charset="utf-8"')


def test_unknown_charset_is_refused() -> None:
    with pytest.raises(UploadFormatError, match="unknown charset 'klingon'"):
        parse(LONG_HEADER, "text/csv; charset=klingon")


def test_utf16_with_bom_is_read() -> None:
    upload = parse(
        "area_code\tperiod\tindicator\tvalue\nCafé\t2021\tcrime_rate\t1\n".encode("utf-16")
    )
    assert (upload.encoding, upload.rows[0].area_code) == ("utf-16", "Café")


def test_windows_line_endings_are_read() -> None:
    upload = parse(b"area_code,period,indicator,value\r\nE01000001,2021,crime_rate,1\r\n")
    assert upload.rows == [row(2, "E01000001", "2021", "crime_rate", 1.0)]


def test_old_mac_line_endings_are_read() -> None:
    upload = parse(
        b"area_code,period,indicator,value\rE01000001,2021,crime_rate,1\rE2,2021,imd_rank,2\r"
    )
    assert [(r.row, r.area_code) for r in upload.rows] == [(2, "E01000001"), (3, "E2")]


class _OneWayStream(io.BytesIO):
    """A stream that cannot seek, like a socket."""

    def seekable(self) -> bool:
        return False


def test_stream_that_cannot_seek_is_read() -> None:
    stream = _OneWayStream(LONG_HEADER + b"E01000001,2021,crime_rate,1\n")
    upload = read_observations(stream, "text/csv", CODES)
    assert len(upload.rows) == 1


def test_callers_stream_is_left_open() -> None:
    stream = io.BytesIO(LONG_HEADER + b"E01000001,2021,crime_rate,1\n")
    read_observations(stream, "text/csv", CODES)
    assert not stream.closed


# --- delimiters ------------------------------------------------------------------------------


def test_semicolon_delimiter_is_detected_and_noted() -> None:
    upload = parse(b"area_code;period;indicator;value\nE01000001;2021;crime_rate;1.5\n")
    assert upload.rows == [row(2, "E01000001", "2021", "crime_rate", 1.5)]
    assert "Columns are separated by semicolons." in upload.notes


def test_tab_delimiter_is_detected() -> None:
    upload = parse(b"area_code\tperiod\tindicator\tvalue\nE01000001\t2021\tcrime_rate\t1\n")
    assert upload.rows == [row(2, "E01000001", "2021", "crime_rate", 1.0)]


def test_semicolon_file_with_a_comma_in_a_header_is_split_on_semicolons() -> None:
    upload = parse(b"area_code;Rate (per 1,000);imd_rank\nE01000001;3.5;1\n", default_period="2019")
    assert upload.rows == [row(2, "E01000001", "2019", "imd_rank", 1.0)]


def test_comma_file_with_semicolons_in_quoted_names_is_split_on_commas() -> None:
    upload = parse(
        b'area_code,name,imd_rank\nE01000001,"A; B; C",1\nE01000002,"D; E",2\n',
        default_period="2019",
    )
    assert [r.value for r in upload.rows] == [1.0, 2.0]


def test_semicolon_file_refuses_commas_in_numbers() -> None:
    upload = parse(b"area_code;period;indicator;value\nE01000001;2021;crime_rate;12,5\n")
    assert upload.errors[0].value == "12,5"
    assert "decimal comma" in upload.errors[0].reason


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        (b"29199", 29199.0),
        (b'"29,199"', 29199.0),
        (b'"1,234,567"', 1234567.0),
        (b'"1,234.5"', 1234.5),
        (b" 12.0 ", 12.0),
        (b"-3", -3.0),
        (b"+4", 4.0),
        (b".5", 0.5),
        (b"1e3", 1000.0),
        (b"2.5E-2", 0.025),
    ],
)
def test_numbers_are_read(cell: bytes, value: float) -> None:
    assert long_value(cell).rows[0].value == value


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        (b"NaN", "'NaN' is not a finite number"),
        (b"inf", "'inf' is not a finite number"),
        (b"-Infinity", "'-Infinity' is not a finite number"),
        (b"1e999", "'1e999' is too large"),
        (b"12abc", "'12abc' is not a number"),
        (b"1.2.3", "'1.2.3' is not a number"),
        (b"1_000", "'1_000' is not a number"),
        (b"12.5%", "'12.5%' has a % sign: write the number alone"),
    ],
)
def test_text_that_is_not_a_finite_number_is_a_row_error(cell: bytes, reason: str) -> None:
    assert long_value(cell).errors == [RowError(2, "value", cell.decode(), reason)]


@pytest.mark.parametrize("cell", [b'"29,19"', b'"1,2345"', b'"12,5"', b'"1,234,5"'])
def test_misplaced_thousands_separator_is_a_row_error(cell: bytes) -> None:
    error = long_value(cell).errors[0]
    assert (error.row, error.column, error.value) == (2, "value", cell.decode().strip('"'))
    assert "misplaced thousands separator" in error.reason


@pytest.mark.parametrize("cell", [b"*", b"c", b"..", b"x", b"-", b"[c]", b"N/A"])
def test_suppression_marker_is_a_row_error_asking_to_leave_it_out(cell: bytes) -> None:
    error = long_value(cell).errors[0]
    assert (error.row, error.column, error.value) == (2, "value", cell.decode())
    assert "suppressed or unavailable value" in error.reason
    assert error.reason.endswith("leave this observation out of the upload")


def test_empty_value_in_long_layout_is_a_row_error() -> None:
    assert long_value(b"").errors == [
        RowError(2, "value", "", "the value is missing: leave rows without a value out")
    ]


def test_row_with_an_error_gives_no_observation() -> None:
    assert long_value(b"abc").rows == []


# --- indicators, duplicates, other row errors ------------------------------------------------


def test_indicator_codes_match_ignoring_case_and_return_their_spelling() -> None:
    upload = parse(LONG_HEADER + b"E01000001,2021,PUPILS_fsm,1\n")
    assert upload.rows[0].indicator == "Pupils_FSM"


def test_unknown_indicator_suggests_the_closest_code() -> None:
    upload = parse(LONG_HEADER + b"E01000001,2021,crime_rte,1\n")
    assert upload.errors == [
        RowError(
            2,
            "indicator",
            "crime_rte",
            "'crime_rte' is not a known indicator code: did you mean 'crime_rate'?",
        )
    ]


def test_unknown_indicator_without_a_close_code_suggests_nothing() -> None:
    upload = parse(LONG_HEADER + b"E01000001,2021,bus_journeys,1\n")
    assert upload.errors[0].reason == "'bus_journeys' is not a known indicator code"


def test_missing_indicator_is_a_row_error() -> None:
    upload = parse(LONG_HEADER + b"E01000001,2021,,1\n")
    assert upload.errors == [RowError(2, "indicator", "", "the indicator code is missing")]


def test_missing_area_code_is_a_row_error() -> None:
    upload = parse(LONG_HEADER + b",2021,crime_rate,1\n")
    assert upload.errors == [RowError(2, "area_code", "", "the area code is missing")]


def test_missing_period_is_a_row_error_even_with_a_default() -> None:
    upload = parse(LONG_HEADER + b"E01000001,,crime_rate,1\n", default_period="2021")
    assert upload.errors == [RowError(2, "period", "", "the period is missing")]


def test_row_with_more_cells_than_the_header_is_a_row_error() -> None:
    upload = parse(LONG_HEADER + b"E01000001,2021,crime_rate,29,199\n")
    error = upload.errors[0]
    assert (error.row, error.column) == (2, None)
    assert "5 cells but the header has 4" in error.reason


def test_duplicate_observation_is_reported_on_the_later_row() -> None:
    upload = parse(
        LONG_HEADER
        + b"E01000001,2021,crime_rate,1\nE01000002,2021,crime_rate,2\nE01000001,2021,Crime_Rate,3\n"
    )
    assert upload.errors == [
        RowError(
            4,
            None,
            None,
            "duplicate: area E01000001, period 2021, indicator crime_rate is already on row 2",
        )
    ]


def test_same_area_and_indicator_in_two_periods_is_not_a_duplicate() -> None:
    upload = parse(LONG_HEADER + b"E01000001,2020,crime_rate,1\nE01000001,2021,crime_rate,2\n")
    assert (len(upload.rows), upload.errors) == (2, [])


def test_every_row_error_is_collected() -> None:
    upload = parse(
        LONG_HEADER + b"E01000001,2021,crime_rate,a\nE01000002,2021,nope,1\n,2021,imd_rank,b\n"
    )
    assert [(e.row, e.column) for e in upload.errors] == [
        (2, "value"),
        (3, "indicator"),
        (4, "area_code"),
        (4, "value"),
    ]


def test_errors_are_capped_with_a_count_of_the_rest() -> None:
    bad_rows = b"".join(b"E%d,2021,crime_rate,bad\n" % i for i in range(MAX_ERRORS + 5))
    errors = parse(LONG_HEADER + bad_rows).errors
    assert len(errors) == MAX_ERRORS + 1
    assert errors[-1] == RowError(
        MAX_ERRORS + 2, None, None, "5 more errors in rows 1,002 to 1,006 are not listed"
    )


# --- structural problems ---------------------------------------------------------------------


def test_upload_format_error_is_a_value_error() -> None:
    assert issubclass(UploadFormatError, ValueError)


def test_empty_upload_is_refused() -> None:
    with pytest.raises(UploadFormatError, match="the upload is empty"):
        parse(b"")


def test_upload_of_blank_lines_has_no_header() -> None:
    with pytest.raises(UploadFormatError, match="no header row"):
        parse(b"\r\n , \r\n")


def test_header_without_data_rows_is_refused() -> None:
    with pytest.raises(UploadFormatError, match="header row but no data rows"):
        parse(LONG_HEADER + b"\n")


# --- JSON ------------------------------------------------------------------------------------


def test_json_list_of_objects_is_read() -> None:
    upload = parse(
        as_json([observation(), observation(area_code="E01000002", value=6.5)]), "application/json"
    )
    assert upload.rows == [
        row(1, "E01000001", "2021", "imd_rank", 5.0),
        row(2, "E01000002", "2021", "imd_rank", 6.5),
    ]
    assert upload.layout == "json"


def test_json_object_with_observations_list_is_read() -> None:
    upload = parse(as_json({"observations": [observation()]}), "application/json")
    assert upload.rows == [row(1, "E01000001", "2021", "imd_rank", 5.0)]


def test_json_numbers_may_be_strings_with_thousands_separators() -> None:
    upload = parse(as_json([observation(value="29,199")]), "application/json")
    assert upload.rows[0].value == 29199.0


def test_json_numerator_and_denominator_are_read() -> None:
    upload = parse(
        as_json([observation(value=0.5, numerator="10", denominator=20)]), "application/json"
    )
    assert (upload.rows[0].numerator, upload.rows[0].denominator) == (10.0, 20.0)


def test_json_integer_period_is_read_as_text() -> None:
    upload = parse(as_json([observation(period=2021)]), "application/json")
    assert upload.rows[0].period == "2021"


def test_json_record_without_period_takes_the_default() -> None:
    record = observation()
    del record["period"]
    upload = parse(as_json([record]), "application/json", default_period="2019")
    assert upload.rows[0].period == "2019"


def test_json_record_without_period_or_default_is_a_row_error() -> None:
    record = observation()
    del record["period"]
    upload = parse(as_json([record]), "application/json")
    assert upload.errors == [RowError(1, "period", None, "the period is missing")]


@pytest.mark.parametrize(
    ("value", "shown", "reason"),
    [
        (None, None, "the value is missing"),
        ("12abc", "12abc", "'12abc' is not a number"),
        (True, "true", "true is not a number"),
        ([1], "[1]", "[1] is not a number"),
    ],
)
def test_json_value_that_is_not_a_number_is_a_row_error(
    value: object, shown: str | None, reason: str
) -> None:
    upload = parse(as_json([observation(value=value)]), "application/json")
    assert upload.errors == [RowError(1, "value", shown, reason)]


def test_json_nan_literal_is_a_row_error() -> None:
    upload = parse(
        b'[{"area_code": "E1", "period": "2021", "indicator": "imd_rank", "value": NaN}]',
        "application/json",
    )
    assert upload.errors == [RowError(1, "value", "NaN", "NaN is not a finite number")]


def test_json_suppression_marker_is_a_row_error() -> None:
    upload = parse(as_json([observation(value="c")]), "application/json")
    assert "suppressed or unavailable value" in upload.errors[0].reason


def test_json_unknown_indicator_is_a_row_error() -> None:
    upload = parse(as_json([observation(indicator="imd_rnk")]), "application/json")
    assert upload.errors == [
        RowError(
            1,
            "indicator",
            "imd_rnk",
            "'imd_rnk' is not a known indicator code: did you mean 'imd_rank'?",
        )
    ]


def test_json_duplicate_names_the_earlier_record() -> None:
    upload = parse(as_json([observation(), observation(value=6)]), "application/json")
    assert upload.errors[0].row == 2
    assert "already on row 1" in upload.errors[0].reason


def test_json_record_that_is_not_an_object_is_a_row_error() -> None:
    upload = parse(as_json([observation(), "E01,2021,imd_rank,5"]), "application/json")
    assert [(e.row, e.value) for e in upload.errors] == [(2, "E01,2021,imd_rank,5")]


def test_json_keys_match_like_csv_headers_and_unknown_keys_are_noted() -> None:
    record = {"AreaCode": "E1", "Period": "2021", "indicator": "imd_rank", "value": 1, "note": "x"}
    upload = parse(as_json([record]), "application/json")
    assert upload.rows == [row(1, "E1", "2021", "imd_rank", 1.0)]
    assert "Ignored keys: note." in upload.notes


def test_json_with_utf8_bom_is_read() -> None:
    upload = parse(b"\xef\xbb\xbf" + as_json([observation()]), "application/json")
    assert upload.encoding == "utf-8-sig"


def test_unreadable_json_is_refused_with_its_position() -> None:
    with pytest.raises(UploadFormatError, match=r"cannot be read: .* at line 2, column"):
        parse(b'[{"area_code": "E1",\n "value": }]', "application/json")


def test_json_object_without_observations_is_refused() -> None:
    with pytest.raises(UploadFormatError, match='"observations" key'):
        parse(as_json({"data": []}), "application/json")


def test_json_scalar_is_refused() -> None:
    with pytest.raises(UploadFormatError, match="list of observations"):
        parse(b"42", "application/json")


def test_empty_json_list_is_refused() -> None:
    with pytest.raises(UploadFormatError, match="no observations"):
        parse(b"[]", "application/json")


# --- real files ------------------------------------------------------------------------------


def _rename_imd_headers(header: list[str]) -> list[str]:
    return [IMD_HEADERS.get(name, name) for name in header]


def test_sheffield_imd_file_parses_as_a_wide_upload(shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / IMD_DIR / SHEFFIELD_IMD
    upload_file = tmp_path / "upload.csv"
    with source.open(newline="", encoding="utf-8") as f_in:
        records = list(csv.reader(f_in))
    with upload_file.open("w", newline="", encoding="utf-8") as f_out:
        writer = csv.writer(f_out)
        writer.writerow(_rename_imd_headers(records[0]))
        writer.writerows(records[1:])
    with upload_file.open("rb") as stream:
        upload = read_observations(
            stream, "text/csv", {"imd_rank", "imd_decile"}, default_period="2019"
        )
    assert upload.errors == []
    assert len(upload.rows) == 2 * (len(records) - 1) == 2 * 345
    first = records[1]
    assert upload.rows[0] == row(2, first[0], "2019", "imd_rank", float(first[4].replace(",", "")))


def test_national_imd_file_with_bom_and_thousands_separators_parses(
    shared_data: Path, tmp_path: Path
) -> None:
    upload_file = tmp_path / "upload.csv"
    with gzip.open(shared_data / IMD_DIR / NATIONAL_IMD, "rb") as f_in:
        header = f_in.readline()
        assert header.startswith(b"\xef\xbb\xbf")
        for name, code in IMD_HEADERS.items():
            header = header.replace(name.encode(), code.encode())
        with upload_file.open("wb") as f_out:
            f_out.write(header)
            shutil.copyfileobj(f_in, f_out)
    with upload_file.open("rb") as stream:
        upload = read_observations(
            stream, "text/csv", {"imd_rank", "imd_decile"}, default_period="2019"
        )
    assert (upload.errors, upload.encoding) == ([], "utf-8-sig")
    assert len(upload.rows) == 2 * 32_844
    assert upload.rows[0] == row(2, "E01000001", "2019", "imd_rank", 29199.0)
    assert max(r.value or 0 for r in upload.rows if r.indicator == "imd_rank") == 32_844.0
