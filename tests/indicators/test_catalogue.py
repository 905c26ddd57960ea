"""The indicator catalogue format, and the catalogue that ships with NIS."""

from __future__ import annotations

import csv
import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from app.access.policy import Visibility
from app.indicators.catalogue import (
    FIELDS,
    CatalogueError,
    catalogue_to_csv,
    catalogue_to_json,
    default_catalogue,
    read_catalogue,
)
from app.indicators.indicator import Indicator, Polarity
from app.indicators.periods import PeriodType
from app.indicators.value_types import ValueType

AGENCIES = {"police", "fire", "transport", "health", "schools", "council"}
AREA_TYPES = {"lsoa", "msoa", "ward", "neighbourhood", "lac", "oa", "city"}
POLICE_FILE = "police_uk_south_yorkshire/2019-12-south-yorkshire-street.csv"


def spec(code: str = "burglary", **changes: object) -> Indicator:
    base = Indicator(
        code=code,
        title="Burglary",
        definition="Burglary of homes and businesses, attempts included.",
        agency="police",
        topic="crime and safety",
        value_type=ValueType.COUNT,
        multiplier=1,
        unit="crimes",
        polarity=Polarity.HIGHER_IS_WORSE,
        period_type=PeriodType.MONTH,
        source="data.police.uk street-level crime",
        licence="Open Government Licence v3.0",
        area_types=("lsoa", "ward"),
        disclosure_threshold=0,
        visibility=Visibility.PUBLIC,
        numerator=None,
        denominator=None,
        event_categories=("Burglary",),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def population() -> Indicator:
    return spec(
        "population",
        agency="council",
        topic="population",
        unit="residents",
        polarity=Polarity.NO_JUDGEMENT,
        period_type=PeriodType.CALENDAR_YEAR,
        event_categories=(),
    )


def burglary_rate(**changes: object) -> Indicator:
    fields: dict[str, object] = {
        "value_type": ValueType.RATE,
        "multiplier": 1000,
        "unit": "per 1,000 residents",
        "numerator": "burglary",
        "denominator": "population",
        "event_categories": (),
    }
    return spec("burglary_rate", **(fields | changes))


def rows_csv(rows: list[dict[str, str]], header: list[str] | None = None) -> str:
    """A CSV of the given cells; cells not given are those of a valid burglary row."""
    names = header or list(FIELDS)
    valid = json.loads(json.dumps(catalogue_to_json([spec()])[0]))
    lines = [names]
    for cells in rows:
        merged = {k: _cell(v) for k, v in valid.items()} | cells
        lines.append([merged.get(name, "") for name in names])
    return "\n".join(",".join(_quote(c) for c in line) for line in lines) + "\n"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def _quote(cell: str) -> str:
    return f'"{cell}"' if "," in cell else cell


def problems_of(
    data: str | bytes, content_type: str | None = "text/csv", **kwargs: object
) -> set[tuple[int, str | None]]:
    with pytest.raises(CatalogueError) as caught:
        read_catalogue(data, content_type, **kwargs)  # type: ignore[arg-type]
    return {(row, name) for row, name, _ in caught.value.problems}


def reasons_of(data: str | bytes, content_type: str | None = "text/csv") -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        read_catalogue(data, content_type)
    return [reason for _, _, reason in caught.value.problems]


# --- the shipped catalogue -------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> list[Indicator]:
    return default_catalogue()


@pytest.fixture(scope="module")
def police_categories(shared_data: Path) -> set[str]:
    with (shared_data / POLICE_FILE).open(newline="", encoding="utf-8") as f:
        return {row["Crime type"] for row in csv.DictReader(f)}


def test_default_catalogue_file_validates() -> None:
    path = Path(__file__).parents[2] / "app" / "indicators" / "default_catalogue.csv"
    assert read_catalogue(path) == default_catalogue()


def test_default_catalogue_has_every_agency(shipped: list[Indicator]) -> None:
    assert {s.agency for s in shipped} == AGENCIES


def test_default_catalogue_has_council_deprivation_and_population(
    shipped: list[Indicator],
) -> None:
    council_topics = {s.topic for s in shipped if s.agency == "council"}
    assert {"deprivation", "population"} <= council_topics


def test_population_is_a_calendar_year_count_without_judgement(
    shipped: list[Indicator],
) -> None:
    population = next(s for s in shipped if s.code == "population")
    assert (population.value_type, population.polarity, population.period_type) == (
        ValueType.COUNT,
        Polarity.NO_JUDGEMENT,
        PeriodType.CALENDAR_YEAR,
    )


def test_default_catalogue_counts_each_police_uk_crime_type_once(
    shipped: list[Indicator], police_categories: set[str]
) -> None:
    single = [s.event_categories[0] for s in shipped if len(s.event_categories) == 1]
    assert sorted(single) == sorted(police_categories)


def test_police_crime_type_indicators_are_public_monthly_counts(
    shipped: list[Indicator], police_categories: set[str]
) -> None:
    for s in shipped:
        if set(s.event_categories) & police_categories:
            assert (s.agency, s.value_type, s.period_type, s.visibility) == (
                "police",
                ValueType.COUNT,
                PeriodType.MONTH,
                Visibility.PUBLIC,
            ), s.code


def test_all_crime_counts_every_crime_type_but_anti_social_behaviour(
    shipped: list[Indicator], police_categories: set[str]
) -> None:
    all_crime = next(s for s in shipped if s.code == "all_crime")
    assert set(all_crime.event_categories) == police_categories - {"Anti-social behaviour"}


def test_default_rates_divide_a_count_by_population(shipped: list[Indicator]) -> None:
    counts = {s.code for s in shipped if s.value_type is ValueType.COUNT}
    rates = [s for s in shipped if s.value_type is ValueType.RATE]
    assert {"criminal_damage_arson_rate", "burglary_rate"} <= {r.code for r in rates}
    for rate in rates:
        assert rate.numerator in counts
        assert rate.denominator == "population"


def test_default_catalogue_uses_only_known_area_types(shipped: list[Indicator]) -> None:
    assert {t for s in shipped for t in s.area_types} <= AREA_TYPES


def test_default_catalogue_has_partners_only_indicators_for_several_agencies(
    shipped: list[Indicator],
) -> None:
    partners = {s.agency for s in shipped if s.visibility is Visibility.PARTNERS}
    assert {"fire", "health", "schools"} <= partners


def test_deprivation_ranks_are_better_when_higher_and_scores_worse(
    shipped: list[Indicator],
) -> None:
    by_code = {s.code: s for s in shipped}
    assert by_code["imd_rank"].polarity is Polarity.HIGHER_IS_BETTER
    assert by_code["imd_decile"].polarity is Polarity.HIGHER_IS_BETTER
    assert by_code["imd_score"].polarity is Polarity.HIGHER_IS_WORSE


# --- round trips -----------------------------------------------------------------------


def test_csv_round_trips(shipped: list[Indicator]) -> None:
    assert read_catalogue(catalogue_to_csv(shipped), "text/csv") == shipped


def test_json_text_round_trips(shipped: list[Indicator]) -> None:
    text = json.dumps(catalogue_to_json(shipped))
    assert read_catalogue(text, "application/json") == shipped


def test_parsed_json_round_trips(shipped: list[Indicator]) -> None:
    assert read_catalogue(catalogue_to_json(shipped)) == shipped


def test_json_lists_are_arrays_and_enums_text() -> None:
    (out,) = catalogue_to_json([spec()])
    assert (out["area_types"], out["value_type"], out["numerator"]) == (
        ["lsoa", "ward"],
        "count",
        None,
    )


# --- reading ---------------------------------------------------------------------------


def test_csv_lists_are_separated_by_semicolons() -> None:
    text = rows_csv([{"area_types": "lsoa; ward ;msoa"}])
    assert read_catalogue(text, "text/csv")[0].area_types == ("lsoa", "ward", "msoa")


def test_content_type_parameters_are_ignored() -> None:
    assert read_catalogue(rows_csv([{}]), "text/csv; charset=utf-8") == [spec()]


def test_excel_csv_upload_type_is_read_as_csv() -> None:
    assert read_catalogue(rows_csv([{}]), "application/vnd.ms-excel") == [spec()]


def test_json_is_recognised_without_a_content_type() -> None:
    assert read_catalogue(json.dumps(catalogue_to_json([spec()])).encode()) == [spec()]


def test_csv_is_recognised_without_a_content_type() -> None:
    assert read_catalogue(rows_csv([{}]).encode()) == [spec()]


def test_path_suffix_decides_the_format(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(catalogue_to_json([spec()])), encoding="utf-8")
    assert read_catalogue(path) == [spec()]


def test_utf8_byte_order_mark_is_ignored() -> None:
    data = "\ufeff".encode() + rows_csv([{}]).encode()
    assert read_catalogue(data, "text/csv") == [spec()]


def test_windows_1252_bytes_are_read() -> None:
    data = rows_csv([{"title": "Burglary – homes"}]).encode("cp1252")
    assert read_catalogue(data, "text/csv")[0].title == "Burglary – homes"


def test_old_mac_line_ends_are_read() -> None:
    assert read_catalogue(rows_csv([{}]).replace("\n", "\r"), "text/csv") == [spec()]


def test_a_file_the_csv_module_cannot_read_is_a_problem_not_a_crash() -> None:
    too_large = "code,title\nburglary," + "x" * 200_000 + "\n"  # beyond csv's field limit
    assert reasons_of(too_large.encode(), "application/octet-stream") == [
        "the CSV cannot be read: field larger than field limit (131072)"
    ]


def test_header_names_may_be_spaced_and_capitalised() -> None:
    header = [name.replace("_", " ").capitalize() for name in FIELDS]
    valid = rows_csv([{}]).splitlines()[1]
    assert read_catalogue(",".join(header) + "\n" + valid + "\n", "text/csv") == [spec()]


def test_enumerations_are_case_insensitive() -> None:
    text = rows_csv([{"value_type": "Count", "visibility": "PUBLIC"}])
    assert read_catalogue(text, "text/csv") == [spec()]


def test_blank_rows_are_skipped() -> None:
    lines = rows_csv([{}]).splitlines()
    text = "\n".join([lines[0], "", lines[1], ",,,,"]) + "\n"
    assert read_catalogue(text, "text/csv") == [spec()]


def test_optional_columns_may_be_left_out() -> None:
    header = [f for f in FIELDS if f not in {"numerator", "denominator", "disclosure_threshold"}]
    specs = read_catalogue(rows_csv([{}], header), "text/csv")
    assert (specs[0].numerator, specs[0].disclosure_threshold) == (None, None)


def test_references_may_point_to_known_codes() -> None:
    text = catalogue_to_csv([burglary_rate(numerator="burglary")])
    known = {"burglary", "population"}
    assert read_catalogue(text, "text/csv", known_codes=known)[0].denominator == "population"


def test_references_within_the_catalogue_are_accepted() -> None:
    specs = [spec(), population(), burglary_rate()]
    assert read_catalogue(catalogue_to_csv(specs), "text/csv") == specs


# --- problems --------------------------------------------------------------------------


def test_every_problem_is_reported_together_with_row_and_field() -> None:
    text = rows_csv(
        [
            {"value_type": "rates"},
            {"code": "Burglary Count", "multiplier": "-5"},
            {"disclosure_threshold": "-1", "period_type": "week"},
            {},
            {},
        ]
    )
    assert problems_of(text) == {
        (2, "value_type"),
        (3, "code"),
        (3, "multiplier"),
        (4, "disclosure_threshold"),
        (4, "period_type"),
        (6, "code"),
    }


def test_json_problems_give_the_objects_position() -> None:
    objects = catalogue_to_json([spec(), spec("robbery")])
    objects[1]["polarity"] = "bad"
    assert problems_of(json.dumps(objects), "application/json") == {(2, "polarity")}


def test_enumeration_problems_list_the_allowed_values() -> None:
    (reason,) = reasons_of(rows_csv([{"value_type": "rates"}]))
    assert "count, rate, percentage, mean, score" in reason


def test_period_type_must_be_one_of_the_five() -> None:
    (reason,) = reasons_of(rows_csv([{"period_type": "week"}]))
    assert "month, quarter, calendar_year, financial_year, academic_year" in reason


def test_error_message_names_rows_and_fields() -> None:
    with pytest.raises(CatalogueError, match=r"row 2, multiplier: "):
        read_catalogue(rows_csv([{"multiplier": "0"}]), "text/csv")


def test_required_fields_must_not_be_blank() -> None:
    assert problems_of(rows_csv([{"title": " ", "licence": ""}])) == {
        (2, "title"),
        (2, "licence"),
    }


def test_missing_json_fields_are_required() -> None:
    (obj,) = catalogue_to_json([spec()])
    del obj["source"]
    assert problems_of(json.dumps([obj]), "application/json") == {(1, "source")}


def test_missing_column_is_reported_once_on_the_header() -> None:
    header = [f for f in FIELDS if f != "unit"]
    assert problems_of(rows_csv([{}, {"code": "robbery"}], header)) == {(1, "unit")}


def test_unknown_column_is_reported() -> None:
    text = rows_csv([{"colour": "red"}], [*FIELDS, "colour"])
    assert problems_of(text) == {(1, "colour")}


def test_duplicate_code_names_the_first_row() -> None:
    reasons = reasons_of(rows_csv([{}, {}]))
    assert reasons == ["duplicate code 'burglary': row 2 has it too"]


def test_code_must_be_lower_snake_case() -> None:
    assert problems_of(rows_csv([{"code": "2nd_burglary"}])) == {(2, "code")}


def test_multiplier_must_be_a_whole_number() -> None:
    assert problems_of(rows_csv([{"multiplier": "1.5"}])) == {(2, "multiplier")}


def test_disclosure_threshold_may_not_be_negative() -> None:
    assert problems_of(rows_csv([{"disclosure_threshold": "-3"}])) == {(2, "disclosure_threshold")}


def test_count_multiplier_is_one() -> None:
    assert problems_of(rows_csv([{"multiplier": "1000"}])) == {(2, "multiplier")}


def test_percentage_multiplier_is_one_hundred() -> None:
    text = catalogue_to_csv(
        [spec(value_type=ValueType.PERCENTAGE, multiplier=1000, event_categories=())]
    )
    assert problems_of(text) == {(2, "multiplier")}


def test_rate_needs_a_denominator() -> None:
    text = catalogue_to_csv([spec(), burglary_rate(denominator=None)])
    assert (3, "denominator") in problems_of(text)


def test_numerator_must_exist() -> None:
    text = catalogue_to_csv([population(), burglary_rate(numerator="burglary_count")])
    assert problems_of(text) == {(3, "numerator")}


def test_denominator_must_exist() -> None:
    text = catalogue_to_csv([spec(), burglary_rate()])
    assert problems_of(text) == {(3, "denominator")}


def test_reference_must_be_a_count() -> None:
    pct = spec("population", value_type=ValueType.PERCENTAGE, multiplier=100, event_categories=())
    text = catalogue_to_csv([spec(), pct, burglary_rate()])
    assert problems_of(text) == {(4, "denominator")}


def test_reference_to_a_row_with_problems_is_not_reported_twice() -> None:
    bad_population = dataclasses.replace(population(), unit="")
    text = catalogue_to_csv([spec(), bad_population, burglary_rate()])
    assert problems_of(text) == {(3, "unit")}


def test_event_categories_only_on_counts() -> None:
    text = catalogue_to_csv([spec(), population(), burglary_rate(event_categories=("Burglary",))])
    assert problems_of(text) == {(4, "event_categories")}


def test_area_types_must_be_known_when_given() -> None:
    text = rows_csv([{"area_types": "lsoa;parish"}])
    assert problems_of(text, known_area_types={"lsoa", "ward"}) == {(2, "area_types")}


def test_json_booleans_are_not_numbers() -> None:
    (obj,) = catalogue_to_json([spec()])
    obj["multiplier"] = True
    assert problems_of(json.dumps([obj]), "application/json") == {(1, "multiplier")}


def test_json_list_items_may_not_hold_the_csv_separator() -> None:
    (obj,) = catalogue_to_json([spec()])
    obj["event_categories"] = ["Burglary; attempted"]
    assert problems_of(json.dumps([obj]), "application/json") == {(1, "event_categories")}


def test_invalid_json_is_a_file_problem() -> None:
    assert problems_of('[{"code": ', "application/json") == {(0, None)}


def test_json_must_be_a_list() -> None:
    assert problems_of(json.dumps({"code": "burglary"}), "application/json") == {(0, None)}


def test_unsupported_content_type_is_refused() -> None:
    assert problems_of(rows_csv([{}]), "application/pdf") == {(0, None)}


def test_empty_catalogue_is_refused() -> None:
    assert problems_of(",".join(FIELDS) + "\n") == {(0, None)}


def test_problems_are_in_row_order() -> None:
    text = rows_csv([{"multiplier": "0"}, {}, {"unit": ""}])
    with pytest.raises(CatalogueError) as caught:
        read_catalogue(text, "text/csv")
    rows = [row for row, _, _ in caught.value.problems]
    assert rows == sorted(rows)


def test_long_error_messages_are_shortened() -> None:
    text = rows_csv([{"multiplier": "0", "code": f"c{i}"} for i in range(15)])
    with pytest.raises(CatalogueError, match=r"15 problems: .*; and 5 more$"):
        read_catalogue(text, "text/csv")


# --- bounds on periods and values -------------------------------------------------------


def test_years_and_a_ceiling_are_read_and_round_trip() -> None:
    data = rows_csv([{"earliest_year": "1981", "latest_year": "2030", "max_value": "5e9"}])
    (indicator,) = read_catalogue(data, "text/csv")
    assert (indicator.earliest_year, indicator.latest_year, indicator.max_value) == (
        1981,
        2030,
        5e9,
    )
    assert read_catalogue(catalogue_to_csv([indicator]), "text/csv") == [indicator]


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({"earliest_year": "1800"}, "earliest_year"),
        ({"latest_year": "\u0662\u0660\u0663\u0660"}, "latest_year"),
        ({"earliest_year": "2020", "latest_year": "2010"}, "latest_year"),
        ({"max_value": "1e308"}, "max_value"),
        ({"max_value": "-5"}, "max_value"),
        ({"max_value": "nan"}, "max_value"),
    ],
)
def test_impossible_bounds_are_refused(cells: dict[str, str], column: str) -> None:
    assert problems_of(rows_csv([cells])) == {(2, column)}


def test_a_percentages_ceiling_cannot_pass_100() -> None:
    data = rows_csv(
        [{"value_type": "percentage", "multiplier": "100", "unit": "%", "max_value": "150",
          "event_categories": ""}]
    )  # fmt: skip
    assert problems_of(data) == {(2, "max_value")}


def test_the_default_bounds_are_1990_to_next_year_and_a_billion() -> None:
    indicator = spec()
    assert indicator.period_years(date(2026, 12, 2)) == (1990, 2027)
    assert indicator.value_ceiling == 1e9
