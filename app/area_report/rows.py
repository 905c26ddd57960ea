"""The profile as the report shows it: rows grouped by partner and topic, each with the
words and numbers a reader needs, made from :func:`app.analysis.profile.area_profile`'s
entries. Fields that newer profiles carry (``city``, ``interval``, ``trend_word``,
``spine``, ``window``) are shown when present; older entries fall back to what they have
(the benchmark's city value and interval, the trend's label)."""

from __future__ import annotations

import math
from itertools import groupby
from typing import Any

SUPPRESSED = "suppressed"


def figure(value: Any, unit: str = "") -> str:
    """A value as a paper prints it: three significant figures (whole numbers from a
    thousand), thousands separated; "" for none."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return ""
    shown = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.3g}"
    if "e" in shown:
        shown = f"{value:,.2f}"
    return f"{shown} {unit}".strip() if unit else shown


def _number(value: Any) -> float | None:
    if isinstance(value, dict):
        value = value.get("value")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def city_of(entry: dict[str, Any]) -> float | None:
    """The city's value: the entry's ``city`` where given, else its benchmark's."""
    if "city" in entry and entry["city"] is not None:
        return _number(entry["city"])
    benchmark = entry.get("benchmark") or {}
    return _number(benchmark.get("city_value"))


def interval_of(entry: dict[str, Any]) -> tuple[float, float] | None:
    """The value's 95% interval: ``interval`` ([lower, upper] or {lower, upper}) where
    given, else none (the benchmark's interval is of the comparison)."""
    found = entry.get("interval")
    if isinstance(found, dict):
        found = [found.get("lower"), found.get("upper")]
    if isinstance(found, list | tuple) and len(found) == 2:
        low, high = _number(found[0]), _number(found[1])
        if low is not None and high is not None:
            return low, high
    return None


def trend_of(entry: dict[str, Any]) -> str:
    word = entry.get("trend_word")
    if isinstance(word, str) and word:
        return word
    recent = entry.get("recent_trend") or {}
    label = str((entry.get("trend") or {}).get("label") or "")
    if recent.get("label") and label in ("", "could not be calculated"):
        label = str(recent["label"])
    return label


def window_of(entry: dict[str, Any]) -> str:
    window = entry.get("window")
    if isinstance(window, str):
        return window
    if isinstance(window, dict):
        if window.get("label"):
            return str(window["label"])
        ends = [str(window[k]) for k in ("from", "to") if window.get(k)]
        return " to ".join(ends)
    return ""


def _when(entry: dict[str, Any]) -> dict[str, str]:
    """The row's period, once: a 12-month headline as "12 mo. to 2023-12" (the window
    is the period), else the period with any other window under it."""
    window = entry.get("window")
    if isinstance(window, dict) and window.get("months") and window.get("to"):
        return {"period": f"{window['months']} mo. to {window['to']}", "window": ""}
    return {"period": str(entry.get("period") or ""), "window": window_of(entry)}


def spine_svg(entry: dict[str, Any]) -> str:
    """A small spine chart (the range of all areas, its quartiles, the area's value)
    when the entry has ``spine`` with numbers (min, q1, median, q3, max); else ""."""
    spine = entry.get("spine")
    if not isinstance(spine, dict):
        return ""
    keys = ("min", "q1", "median", "q3", "max")
    numbers = [_number(spine.get(k)) for k in keys]
    if any(n is None for n in numbers):
        return ""
    lo, q1, mid, q3, hi = (float(n) for n in numbers if n is not None)
    value = _number(spine.get("value", entry.get("value")))
    if hi <= lo:
        return ""

    def x(v: float) -> float:
        return 2 + 96 * (min(max(v, lo), hi) - lo) / (hi - lo)

    dot = "" if value is None else (
        f'<circle cx="{x(value):.1f}" cy="5" r="2.6" fill="#000"/>'
    )  # fmt: skip
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 10" class="spine" '
        'role="img" aria-label="range of all areas with quartiles">'
        f'<rect x="2" y="3" width="96" height="4" fill="#d9d9d9"/>'
        f'<rect x="{x(q1):.1f}" y="2" width="{max(x(q3) - x(q1), 0.5):.1f}" height="6" '
        'fill="#8c8c8c"/>'
        f'<line x1="{x(mid):.1f}" y1="1" x2="{x(mid):.1f}" y2="9" stroke="#000" '
        f'stroke-width="0.8"/>{dot}</svg>'
    )


def row(entry: dict[str, Any]) -> dict[str, Any]:
    """One indicator's row: text fields (escaped by the template), and a spine chart."""
    indicator = entry["indicator"]
    unit = str(indicator.get("unit") or "")
    interval = interval_of(entry)
    benchmark = entry.get("benchmark") or {}
    value = None if entry.get("suppressed") else entry.get("value")
    return {
        "code": indicator["code"],
        "title": indicator["title"],
        "unit": unit,
        **_when(entry),
        "value": SUPPRESSED if entry.get("suppressed") else figure(value),
        "interval": "" if interval is None else f"{figure(interval[0])}–{figure(interval[1])}",
        "city": figure(city_of(entry)),
        "compared": str(benchmark.get("label") or ""),
        "compared_class": _compared_class(str(benchmark.get("label") or "")),
        "trend": trend_of(entry),
        "spine": spine_svg(entry),  # numbers only: the template keeps it as markup
        "estimated": str(entry.get("estimated") or ""),
    }


def _compared_class(label: str) -> str:
    words = label.lower()
    if "worse" in words:
        return "worse"
    if "better" in words:
        return "better"
    if "higher" in words or "lower" in words:
        return "differs"
    return "similar" if words.startswith("similar") else "none"


def groups(entries: list[dict[str, Any]], agencies: dict[str, str]) -> list[dict[str, Any]]:
    """The rows grouped by partner, then topic (in the order of the partners' names)."""

    def key(entry: dict[str, Any]) -> tuple[str, str]:
        agency = str(entry["indicator"]["agency"])
        return agencies.get(agency, agency), str(entry["indicator"]["topic"])

    ordered = sorted(entries, key=lambda e: (*key(e), str(e["indicator"]["title"])))
    return [
        {"partner": partner, "topic": topic, "rows": [row(e) for e in members]}
        for (partner, topic), members in groupby(ordered, key=key)
    ]
