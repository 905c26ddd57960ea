"""``datetime=`` read as days: RFC 3339 instants and intervals, and the project's periods."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import InvalidParameterError
from app.indicators.periods import PeriodType
from app.ogc.datetimes import Span, choose, read_span

MONTHS = ["2021-12", "2022-01", "2022-02", "2022-03", "2022-04", "2022-05", "2022-06"]
YEARS = ["2020/21", "2021/22", "2022/23"]


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        ("2022-06", ["2022-06"]),  # the project's month
        ("2022-6", ["2022-06"]),
        ("Jun 2022", ["2022-06"]),
        ("2022-06-15", ["2022-06"]),  # an RFC 3339 date: the period holding it
        ("2022-06-01T00:00:00Z", ["2022-06"]),
        ("2022-06-30T23:59:59+01:00", ["2022-06"]),
        ("2022-Q1", ["2022-01", "2022-02", "2022-03"]),  # another type: the months it covers
        ("2022", ["2022-01", "2022-02", "2022-03", "2022-04", "2022-05", "2022-06"]),
        ("2022-01-01/2022-02-28", ["2022-01", "2022-02"]),
        ("../2022-01-31", ["2021-12", "2022-01"]),
        ("2022-05-20/..", ["2022-05", "2022-06"]),
        ("/2021-12-01", ["2021-12"]),
        ("2031-01", []),
    ],
)
def test_a_monthly_layer_reads_both_notations(text: str, chosen: list[str]) -> None:
    assert choose(read_span(text, PeriodType.MONTH), MONTHS, PeriodType.MONTH) == chosen


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        ("2022/23", ["2022/23"]),
        ("2022-23", ["2022/23"]),
        ("FY 2021/22", ["2021/22"]),
        ("2022-06", ["2022/23"]),  # a month: the year holding it
        ("2022-03-31", ["2021/22"]),  # financial years start in April
        ("2022-01-01/2022-12-31", ["2021/22", "2022/23"]),
    ],
)
def test_a_financial_year_layer_reads_both_notations(text: str, chosen: list[str]) -> None:
    kind = PeriodType.FINANCIAL_YEAR
    assert choose(read_span(text, kind), YEARS, kind) == chosen


def test_the_indicators_own_type_decides_an_ambiguous_text() -> None:
    assert read_span("2009-10", PeriodType.MONTH) == Span(
        date(2009, 10, 1), date(2009, 11, 1), "2009-10"
    )
    assert read_span("2009-10", PeriodType.FINANCIAL_YEAR).period == "2009/10"


@pytest.mark.parametrize(
    "text", ["tomorrow", "2022-13", "2022-06-31", "../..", "2022-01-01/2021-01-01", "1/2/3", ""]
)
def test_anything_else_is_a_400_naming_both_notations(text: str) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        read_span(text, PeriodType.MONTH)
    message = str(caught.value)
    if "ends before" in message or "both ends" in message:
        return
    assert "RFC 3339" in message
    assert "2022-06" in message
    assert "2022/23" in message
    assert repr(text) in message
