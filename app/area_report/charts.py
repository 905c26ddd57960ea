"""The report's trend charts: an indicator's series over time as the framework's chart
draws it (:func:`app.framework.charts.trajectory_svg`: labelled value and period axes,
the periods as dates, the 95% band where the points carry one), for the indicators a
reader most needs: those of the area's alerts, then those with a significant trend."""

from __future__ import annotations

from typing import Any

from app.framework.charts import trajectory_svg

MIN_POINTS = 3


def trend_charts(
    entries: list[dict[str, Any]], alerted: list[str], count: int
) -> list[dict[str, Any]]:
    """Up to ``count`` charts (``title``, ``svg``), alerted indicators first."""

    def rank(entry: dict[str, Any]) -> tuple[int, int]:
        code = entry["indicator"]["code"]
        if code in alerted:
            return 0, alerted.index(code)
        label = str((entry.get("trend") or {}).get("label") or "")
        return (1 if label.startswith(("rising", "falling")) else 2), 0

    drawable = [e for e in entries if _points(e) >= MIN_POINTS]
    chosen = sorted(drawable, key=rank)[:count]
    return [{"title": _title(e), "svg": _svg(e)} for e in chosen]


def _points(entry: dict[str, Any]) -> int:
    return sum(1 for p in entry.get("series") or [] if p.get("value") is not None)


def _title(entry: dict[str, Any]) -> str:
    return str(entry["indicator"]["title"])


def _svg(entry: dict[str, Any]) -> str:
    series = entry["series"]
    risks = {
        "series": {
            "periods": [str(p["period"]) for p in series],
            "value": [p.get("value") for p in series],
            "lower": [p.get("lower") for p in series],
            "upper": [p.get("upper") for p in series],
        },
        "unit": str(entry["indicator"].get("unit") or ""),
    }
    return trajectory_svg(risks, _title(entry))
