"""Alerts in plain English: what got worse, where, by how much, over when, how sure."""

from __future__ import annotations

import math

from app.analysis.detect import IndicatorTest
from app.indicators.indicator import Polarity
from app.indicators.periods import PeriodType

_PERIOD_WORDS = {PeriodType.MONTH: "months", PeriodType.QUARTER: "quarters"}


def area_label(name: str, type_name: str) -> str:
    """An area as sentences name it, with its type, since a run raises alerts at several
    types: "Burngreave (Electoral ward)"."""
    return f"{name} ({type_name})" if type_name else name


def q_text(q: float) -> str:
    return f"q = {q:.2g}" if q >= 0.001 else "q < 0.001"


def window_text(test: IndicatorTest) -> str:
    """ "the last 12 months (2023-01 to 2023-12)" or "2023/24"."""
    periods = test.recent_periods
    words = _PERIOD_WORDS.get(test.panel.indicator.period_type)
    if words is None:
        span = periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"
        return f"in {span}" if test.method == "counts" else f"over {span}"
    return f"over the last {len(periods)} {words} ({periods[0]} to {periods[-1]})"


def change_text(test: IndicatorTest, i: int, *, short: bool = False) -> str:
    """How area ``i`` changed: "62% above its city-adjusted baseline", "up 4.1 points"."""
    ind = test.panel.indicator
    if test.method == "trend":
        slope = float(test.stats["slope"][i])
        unit = f" {ind.unit}" if ind.unit else ""
        verb = "rising" if slope > 0 else "falling"
        return f"{verb} by {abs(slope):.3g}{unit} a period"
    if "change" in test.stats and not math.isnan(float(test.stats["change"][i])):
        change = float(test.stats["change"][i])
        before = float(test.stats["value_baseline"][i])
        now = float(test.stats["value_recent"][i])
        points = ind.kind.change_unit or ind.unit or ""
        direction = "up" if change >= 0 else "down"
        detail = "" if short else f" ({before:.1f} to {now:.1f})"
        return f"{direction} {abs(change):.1f} {points}{detail} beyond the city's change".strip()
    ratio = float(test.stats["ratio"][i])
    if not math.isfinite(ratio):
        observed = float(test.stats["observed"][i])
        return f"at {observed:.0f} after none in its baseline"
    pct = abs(ratio - 1) * 100
    side = "above" if ratio >= 1 else "below"
    return f"{pct:.0f}% {side} its city-adjusted baseline"


def rising_text(test: IndicatorTest, i: int) -> str | None:
    """ "rising steadily since 2022-03" where a steady rise carried the evidence (for an
    indicator where lower is worse, "falling steadily"), else None."""
    since = test.rising_since(i)
    if since is None:
        return None
    higher = test.panel.indicator.polarity is Polarity.HIGHER_IS_WORSE
    return f"{'rising' if higher else 'falling'} steadily since {since}"


def deterioration_sentence(test: IndicatorTest, i: int, area_name: str) -> str:
    title = str(test.panel.indicator.title)
    q = float(test.q[i])
    if test.method == "trend":
        return (
            f"{title} in {area_name} has been getting worse {window_text(test)}: "
            f"{change_text(test, i)} (Mann-Kendall, {q_text(q)})"
        )
    rising = rising_text(test, i)
    if rising is not None:
        return (
            f"{title} in {area_name} has been {rising}: {change_text(test, i)} "
            f"{window_text(test)} ({q_text(q)})"
        )
    return f"{title} in {area_name} is {change_text(test, i)} {window_text(test)} ({q_text(q)})"


def gradual(drivers: list[IndicatorTest], i: int) -> str | None:
    """Whether the drivers of a correlated alert in area ``i`` rose steadily rather than
    stepped, judged together (a steady rise fits them better than a step, summed over
    them): None if not, else " since <the earliest start of a rise among them>" (empty
    when none is dated on its own)."""
    fits = [t.steady_rise_fit(i) for t in drivers]
    if any(f is None for f in fits) or sum(f for f in fits if f is not None) <= 0:
        return None
    since = sorted(s for t in drivers if (s := t.rising_since(i)) is not None)
    return f" since {since[0]}" if since else ""


def _rising_prefix(test: IndicatorTest, i: int) -> str:
    rising = rising_text(test, i)
    return "" if rising is None else f"{rising}, "


def correlated_sentence(drivers: list[IndicatorTest], i: int, area_name: str, q_area: float) -> str:
    """The strongest indicator in full, the others alongside it, then the area's q."""
    first, *others = drivers
    lead = deterioration_sentence(first, i, area_name)
    along = [
        f"{str(t.panel.indicator.title).lower()}, "
        f"{_rising_prefix(t, i)}{change_text(t, i, short=True)} ({q_text(float(t.q[i]))})"
        for t in others
    ]
    joined = "; ".join(along)
    steady = gradual(drivers, i)
    together = "Together" if steady is None else f"Together, a gradual deterioration{steady}"
    return (
        f"{lead}, alongside {joined}. {together}: "
        f"{len(drivers)} indicators of {len({t.panel.indicator.agency for t in drivers})} "
        f"agencies ({q_text(q_area)})."
    )
