"""Reporting periods: reading every type, normalising spellings, refusing with reasons."""

from __future__ import annotations

from datetime import date

import pytest

from app.indicators.periods import (
    Period,
    PeriodError,
    PeriodType,
    expected_form,
    parse_period,
    period_of,
    periods_between,
)

MONTH = PeriodType.MONTH
QUARTER = PeriodType.QUARTER
CALENDAR_YEAR = PeriodType.CALENDAR_YEAR
FINANCIAL_YEAR = PeriodType.FINANCIAL_YEAR
ACADEMIC_YEAR = PeriodType.ACADEMIC_YEAR


# --- canonical forms and bounds --------------------------------------------------------------


def test_month_is_read_with_its_bounds() -> None:
    assert parse_period("2021-03", MONTH) == Period(
        date(2021, 3, 1), date(2021, 4, 1), "2021-03", MONTH
    )


def test_december_ends_on_the_first_of_january() -> None:
    assert parse_period("2021-12", MONTH).end == date(2022, 1, 1)


def test_quarter_is_a_calendar_quarter() -> None:
    assert parse_period("2021-Q1", QUARTER) == Period(
        date(2021, 1, 1), date(2021, 4, 1), "2021-Q1", QUARTER
    )


def test_fourth_quarter_ends_on_the_first_of_january() -> None:
    period = parse_period("2021-Q4", QUARTER)
    assert (period.start, period.end) == (date(2021, 10, 1), date(2022, 1, 1))


def test_calendar_year_is_read_with_its_bounds() -> None:
    assert parse_period("2021", CALENDAR_YEAR) == Period(
        date(2021, 1, 1), date(2022, 1, 1), "2021", CALENDAR_YEAR
    )


def test_financial_year_runs_from_april_to_march() -> None:
    assert parse_period("2021/22", FINANCIAL_YEAR) == Period(
        date(2021, 4, 1), date(2022, 4, 1), "2021/22", FINANCIAL_YEAR
    )


def test_academic_year_runs_from_september_to_august() -> None:
    assert parse_period("2021/22", ACADEMIC_YEAR) == Period(
        date(2021, 9, 1), date(2022, 9, 1), "2021/22", ACADEMIC_YEAR
    )


def test_year_pair_across_a_century_is_written_with_two_digits() -> None:
    period = parse_period("1999/2000", FINANCIAL_YEAR)
    assert (period.text, period.start) == ("1999/00", date(1999, 4, 1))


def test_period_prints_as_its_canonical_text() -> None:
    assert str(parse_period("2021 q2", QUARTER)) == "2021-Q2"


def test_periods_of_a_type_sort_by_start() -> None:
    texts = ["2021-11", "2020-02", "2021-01"]
    assert [p.text for p in sorted(parse_period(t, MONTH) for t in texts)] == [
        "2020-02",
        "2021-01",
        "2021-11",
    ]


# --- accepted spellings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2021-03",
        "2021-3",
        " 2021-03 ",
        "2021/03",
        "2021-03-01",
        "2021-03-01 00:00:00",
        "2021-03-01T00:00:00",
        "Mar 2021",
        "March 2021",
        "march-2021",
        "2021\u201303",
    ],
)
def test_month_spellings_normalise_to_canonical(text: str) -> None:
    assert parse_period(text, MONTH).text == "2021-03"


@pytest.mark.parametrize(
    "text", ["2021-Q1", "2021 Q1", "2021q1", "2021Q1", "2021 - Q1", "Q1 2021", "q1-2021"]
)
def test_quarter_spellings_normalise_to_canonical(text: str) -> None:
    assert parse_period(text, QUARTER).text == "2021-Q1"


@pytest.mark.parametrize("text", ["2021", " 2021 "])
def test_calendar_year_spellings_normalise_to_canonical(text: str) -> None:
    assert parse_period(text, CALENDAR_YEAR).text == "2021"


@pytest.mark.parametrize(
    "text",
    [
        "2021/22",
        "2021-22",
        "2021/2022",
        "2021-2022",
        "2021 to 2022",
        "202122",
        "2021\u201322",
        "FY 2021/22",
        "fy2021-22",
    ],
)
def test_financial_year_spellings_normalise_to_canonical(text: str) -> None:
    assert parse_period(text, FINANCIAL_YEAR).text == "2021/22"


@pytest.mark.parametrize("text", ["2021/22", "2021-22", "2021/2022", "AY 2021/22"])
def test_academic_year_spellings_normalise_to_canonical(text: str) -> None:
    assert parse_period(text, ACADEMIC_YEAR).text == "2021/22"


def test_expected_type_decides_between_month_and_year_pair() -> None:
    assert parse_period("2009-10", MONTH).text == "2009-10"
    assert parse_period("2009-10", FINANCIAL_YEAR).start == date(2009, 4, 1)


# --- refusals --------------------------------------------------------------------------------


def test_period_error_is_a_value_error() -> None:
    assert issubclass(PeriodError, ValueError)


def test_month_thirteen_is_refused_with_the_form_expected() -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period("2021-13", MONTH)
    message = str(caught.value)
    assert "'2021-13' is not a month" in message
    assert "no month 13" in message
    assert "months are written 2021-03" in message


def test_date_after_the_first_of_the_month_is_refused() -> None:
    with pytest.raises(PeriodError, match="first day of the month"):
        parse_period("2021-03-15", MONTH)


def test_impossible_date_is_refused() -> None:
    with pytest.raises(PeriodError, match="no such date"):
        parse_period("2021-02-30", MONTH)


def test_unknown_month_name_is_refused() -> None:
    with pytest.raises(PeriodError, match="'marc' is not the name of a month"):
        parse_period("Marc 2021", MONTH)


def test_quarter_five_is_refused() -> None:
    with pytest.raises(PeriodError, match="no quarter 5"):
        parse_period("2021-Q5", QUARTER)


@pytest.mark.parametrize("text", ["2021/23", "2021/2023", "2021-20"])
def test_year_pair_of_non_consecutive_years_is_refused(text: str) -> None:
    with pytest.raises(PeriodError, match="consecutive, as in 2021/22"):
        parse_period(text, FINANCIAL_YEAR)


def test_year_pair_with_a_two_digit_first_year_is_refused() -> None:
    with pytest.raises(PeriodError, match="first year in full"):
        parse_period("21/22", FINANCIAL_YEAR)


def test_academic_prefix_is_refused_for_a_financial_year() -> None:
    with pytest.raises(PeriodError, match="'AY' marks another type of year"):
        parse_period("AY 2021/22", FINANCIAL_YEAR)


@pytest.mark.parametrize("text", ["1899", "2101"])
def test_year_outside_1900_to_2100_is_refused(text: str) -> None:
    with pytest.raises(PeriodError, match=r"1900\.\.2100"):
        parse_period(text, CALENDAR_YEAR)


def test_blank_period_is_refused() -> None:
    with pytest.raises(PeriodError, match="blank: quarters are written 2021-Q1"):
        parse_period("  ", QUARTER)


def test_text_that_is_no_period_is_refused() -> None:
    with pytest.raises(PeriodError, match="'soon' is not a calendar year: calendar years are"):
        parse_period("soon", CALENDAR_YEAR)


def test_month_for_calendar_year_indicator_names_both_types() -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period("2021-03", CALENDAR_YEAR)
    message = str(caught.value)
    assert "looks like a month (2021-03)" in message
    assert "reported by calendar year: calendar years are written 2021" in message


def test_year_pair_for_calendar_year_indicator_names_both_types() -> None:
    with pytest.raises(PeriodError, match="looks like a financial or academic year"):
        parse_period("2021/22", CALENDAR_YEAR)


def test_single_year_for_financial_year_indicator_says_how_to_write_it() -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period("2021", FINANCIAL_YEAR)
    message = str(caught.value)
    assert "looks like a calendar year" in message
    assert "financial years are written 2021/22 (1 April 2021 to 31 March 2022)" in message


def test_month_for_financial_year_indicator_is_not_read_as_a_pair() -> None:
    with pytest.raises(PeriodError, match="looks like a month"):
        parse_period("2021-12", FINANCIAL_YEAR)


def test_quarter_for_month_indicator_names_the_quarter() -> None:
    with pytest.raises(PeriodError, match=r"looks like a quarter \(2021-Q3\)"):
        parse_period("2021 Q3", MONTH)


@pytest.mark.parametrize("period_type", list(PeriodType))
def test_expected_form_gives_an_example_for_every_type(period_type: PeriodType) -> None:
    assert "are written 20" in expected_form(period_type)


# --- period_of -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "period_type", "text"),
    [
        (date(2021, 3, 31), MONTH, "2021-03"),
        (date(2021, 6, 30), QUARTER, "2021-Q2"),
        (date(2021, 7, 1), QUARTER, "2021-Q3"),
        (date(2021, 12, 31), CALENDAR_YEAR, "2021"),
        (date(2022, 3, 31), FINANCIAL_YEAR, "2021/22"),
        (date(2022, 4, 1), FINANCIAL_YEAR, "2022/23"),
        (date(2022, 8, 31), ACADEMIC_YEAR, "2021/22"),
        (date(2022, 9, 1), ACADEMIC_YEAR, "2022/23"),
    ],
)
def test_period_of_returns_the_period_containing_the_day(
    day: date, period_type: PeriodType, text: str
) -> None:
    period = period_of(day, period_type)
    assert period.text == text
    assert period.start <= day < period.end


@pytest.mark.parametrize("period_type", list(PeriodType))
def test_period_of_its_start_is_the_parsed_period(period_type: PeriodType) -> None:
    text = {MONTH: "2021-05", QUARTER: "2021-Q2", CALENDAR_YEAR: "2021"}.get(period_type, "2021/22")
    period = parse_period(text, period_type)
    assert period_of(period.start, period_type) == period


def test_period_of_a_day_outside_the_accepted_years_is_refused() -> None:
    with pytest.raises(PeriodError, match=r"1900\.\.2100"):
        period_of(date(1899, 12, 31), CALENDAR_YEAR)


# --- periods_between -------------------------------------------------------------------------


def test_periods_between_months_crosses_the_year_end_inclusively() -> None:
    first, last = parse_period("2020-11", MONTH), parse_period("2021-02", MONTH)
    assert [p.text for p in periods_between(first, last)] == [
        "2020-11",
        "2020-12",
        "2021-01",
        "2021-02",
    ]


def test_periods_between_quarters() -> None:
    first, last = parse_period("2021-Q3", QUARTER), parse_period("2022-Q1", QUARTER)
    assert [p.text for p in periods_between(first, last)] == ["2021-Q3", "2021-Q4", "2022-Q1"]


def test_periods_between_financial_years() -> None:
    first = parse_period("2019/20", FINANCIAL_YEAR)
    last = parse_period("2021/22", FINANCIAL_YEAR)
    assert [p.text for p in periods_between(first, last)] == ["2019/20", "2020/21", "2021/22"]


def test_periods_between_a_period_and_itself_is_that_period() -> None:
    period = parse_period("2021", CALENDAR_YEAR)
    assert periods_between(period, period) == [period]


def test_periods_between_in_reverse_order_is_empty() -> None:
    first, last = parse_period("2021-05", MONTH), parse_period("2021-02", MONTH)
    assert periods_between(first, last) == []


def test_periods_between_different_types_is_refused() -> None:
    with pytest.raises(PeriodError, match="same type"):
        periods_between(parse_period("2021-01", MONTH), parse_period("2021-Q2", QUARTER))


def test_periods_between_reaches_the_last_accepted_year() -> None:
    first, last = parse_period("2099", CALENDAR_YEAR), parse_period("2100", CALENDAR_YEAR)
    assert [p.text for p in periods_between(first, last)] == ["2099", "2100"]


# Texts of every shape the readers know, with years no date can hold, and digits that are
# not ASCII; each type must answer a Period or a PeriodError, never another exception.
_ODD_TEXTS = [
    f"{year}{rest}"
    for year in ("9999", "0000", "0001", "1800", "10000", "٢٠٢١", "２０２１")
    for rest in ("-12", "-01", "-Q4", "-Q1", "", "/00", "/10000", "-12-01", "-12-31 00:00")
] + ["Dec 9999", "Q4 9999", "FY 9999/00", "AY 0000/01", "٣", "2021-٣"]


@pytest.mark.parametrize("text", _ODD_TEXTS)
def test_reading_a_period_is_total(text: str) -> None:
    for period_type in PeriodType:
        try:
            period = parse_period(text, period_type)
        except PeriodError:
            continue
        assert 1900 <= period.start.year <= 2100


def test_digits_other_than_ascii_are_not_read() -> None:
    with pytest.raises(PeriodError):
        parse_period("٢٠٢١-03", MONTH)  # Arabic-Indic 2021
