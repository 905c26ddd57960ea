"""Suggested mappings of a file's columns to the catalogue's indicators (by code, title
and synonyms) and to the area code and period, and the options an upload reads."""

from __future__ import annotations

import pytest

from app.errors import InvalidParameterError
from app.indicators.catalogue import default_catalogue
from app.indicators.indicator import Indicator
from app.uploads.options import UploadOptions, parse_options
from app.uploads.suggestions import suggest, suggest_period

CATALOGUE = default_catalogue()
COUNCIL = [i for i in CATALOGUE if i.agency == "council"]
IMD_FILE_1 = [
    "LSOA code (2011)",
    "LSOA name (2011)",
    "Local Authority District code (2019)",
    "Local Authority District name (2019)",
    "Index of Multiple Deprivation (IMD) Rank",
    "Index of Multiple Deprivation (IMD) Decile",
]


def test_imd_file_1_headings_suggest_rank_decile_and_the_lsoa_column() -> None:
    found = suggest(IMD_FILE_1, COUNCIL)
    assert found.area_column == "LSOA code (2011)"
    assert found.period_column is None
    assert found.mapping == {
        "Index of Multiple Deprivation (IMD) Rank": "imd_rank",
        "Index of Multiple Deprivation (IMD) Decile": "imd_decile",
    }


def test_a_heading_equal_to_a_code_title_or_synonym_wins() -> None:
    absence = next(i for i in CATALOGUE if i.code == "persistent_absence")
    named = Indicator(**{**absence.__dict__, "synonyms": ("truancy",)})
    found = suggest(["area_code", "Year", "Truancy"], [named])
    assert found.period_column == "Year"
    assert found.mapping == {"Truancy": "persistent_absence"}
    # One column per indicator: the exact name beats a looser one.
    found = suggest(["area_code", "Persistent absence rate (%)", absence.title], [named])
    assert found.mapping == {absence.title: "persistent_absence"}


def test_columns_of_names_and_other_agencies_indicators_are_not_suggested() -> None:
    police = [i for i in CATALOGUE if i.agency == "police"]
    found = suggest(IMD_FILE_1, police)
    assert found.mapping == {}


def test_the_period_comes_from_a_year_in_the_file_name_for_yearly_indicators() -> None:
    imd = [i for i in COUNCIL if i.code == "imd_rank"]
    name = "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
    assert suggest_period(name, None, imd) == "2019"
    assert suggest_period(name, "Year", imd) is None
    burglary = [i for i in CATALOGUE if i.code == "burglary"]
    assert suggest_period("burglary-2019.csv", None, burglary) is None  # monthly


def test_options_are_read_from_fields() -> None:
    options = parse_options(
        {"header_row": "3", "mapping": '{" Rank ": "imd_rank", "Name": ""}', "skip_outside": "true",
         "sheet": "Ranks", "period": " 2019 "}
    )  # fmt: skip
    assert options == UploadOptions(
        sheet="Ranks", header_row=3, period="2019", mapping={"Rank": "imd_rank"}, skip_outside=True
    )


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"header_row": "0"}, "header_row must be a row number"),
        ({"header_row": "two"}, "header_row must be a row number"),
        ({"mapping": "[1]"}, "mapping must be a JSON object"),
        ({"mapping": "{"}, "mapping must be a JSON object"),
        ({"skip_outside": "maybe"}, "skip_outside must be true or false"),
        ({"sheet": "a\x00"}, "NUL"),
    ],
)
def test_bad_options_are_a_400_saying_why(fields: dict[str, str], says: str) -> None:
    with pytest.raises(InvalidParameterError, match=says):
        parse_options(fields)


def test_a_mapped_file_reads_the_columns_named_whatever_their_headings() -> None:
    import io

    from app.uploads.layouts.observation_layouts import read_observations

    body = b"Title row\nWard,When,Rank of deprivation,Notes\nE01007909,2019,12,x\n"
    parsed = read_observations(
        io.BytesIO(body), "text/csv", ["imd_rank"], header_row=2,
        mapping={"rank of deprivation": "imd_rank"}, area_column="ward", period_column="When",
    )  # fmt: skip
    assert [(r.row, r.area_code, r.period, r.indicator, r.value) for r in parsed.rows] == [
        (3, "E01007909", "2019", "imd_rank", 12)
    ]
    assert parsed.column("area") == "Ward"
    assert parsed.column("value", "imd_rank") == "Rank of deprivation"
    assert "Columns not mapped, ignored: 'Notes'." in parsed.notes
