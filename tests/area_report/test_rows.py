"""The profile's rows as the report shows them: the fields newer profiles carry (city,
interval, trend word, spine, window) when present, and what older entries have when
not; grouped by partner and topic."""

from __future__ import annotations

from typing import Any

from app.area_report.rows import figure, groups, row


def entry(**extra: Any) -> dict[str, Any]:
    return {
        "indicator": {
            "code": "burglary",
            "title": "Burglary",
            "agency": "police",
            "topic": "crime and safety",
            "unit": "crimes",
        },
        "period": "2023-12",
        "value": 0.7621951219512195,
        "suppressed": False,
        "trend": {"label": "no significant change"},
        "recent_trend": None,
        "benchmark": {"label": "similar", "city_value": 1.25},
        "series": [],
        **extra,
    }


def test_an_entry_without_the_newer_fields_falls_back() -> None:
    shown = row(entry())
    assert shown["value"] == "0.762"
    assert shown["city"] == "1.25"
    assert shown["interval"] == ""
    assert shown["trend"] == "no significant change"
    assert shown["window"] == ""
    assert shown["spine"] == ""


def test_the_newer_fields_are_shown_when_present() -> None:
    shown = row(entry(
        city={"value": 2.5}, interval=[0.5, 1.25], trend_word="getting worse",
        window={"from": "2023-01", "to": "2023-12"},
        spine={"min": 0, "q1": 0.5, "median": 1, "q3": 2, "max": 4},
    ))  # fmt: skip
    assert shown["city"] == "2.5"
    assert shown["interval"] == "0.5–1.25"
    assert shown["trend"] == "getting worse"
    assert shown["window"] == "2023-01 to 2023-12"
    assert shown["spine"].startswith("<svg")
    assert 'cx="20.3"' in shown["spine"]  # the value 0.762 on 0..4


def test_other_shapes_of_the_newer_fields_are_read_too() -> None:
    shown = row(entry(city=3, interval={"lower": 1, "upper": 2}, window="last 12 months"))
    assert (shown["city"], shown["interval"], shown["window"]) == ("3", "1–2", "last 12 months")


def test_a_suppressed_value_is_shown_as_suppressed() -> None:
    shown = row(entry(value=None, suppressed=True, benchmark={"label": "not compared"}))
    assert shown["value"] == "suppressed"
    assert shown["city"] == ""


def test_rows_are_grouped_by_partner_then_topic() -> None:
    council = entry()
    council["indicator"] = {**council["indicator"], "agency": "council", "topic": "deprivation",
                            "title": "IMD score"}  # fmt: skip
    found = groups([entry(), council], {"police": "South Yorkshire Police", "council": "Council"})
    assert [(g["partner"], g["topic"]) for g in found] == [
        ("Council", "deprivation"),
        ("South Yorkshire Police", "crime and safety"),
    ]


def test_figures_are_rounded_as_a_paper_prints_them() -> None:
    assert figure(0.7621951219512195) == "0.762"
    assert figure(12345.6) == "12,346"
    assert figure(None) == ""
    assert figure(float("nan")) == ""
