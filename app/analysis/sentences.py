"""Alerts in plain English: what got worse, where, by how much, over when.

A sentence is for an officer who is no statistician: ratios in words ("more than
doubled", "up by about half"), percentages as percentage points with their unit, no test
names and no q-values. The statistics behind it go to the alert's ``details``, one short
plain string each ("Getis-Ord Gi* z = 6.5"). Verbs are in the simple past ("rose",
"more than doubled"), which reads right whatever the indicator's title ("Households
near a frequent bus service", "Burglary").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.analysis.detect import IndicatorTest
from app.indicators.indicator import Indicator, Polarity
from app.indicators.periods import PeriodType

_PERIOD_WORDS = {PeriodType.MONTH: "months", PeriodType.QUARTER: "quarters"}
_ONE_PERIOD = {PeriodType.MONTH: "month", PeriodType.QUARTER: "quarter"}
_NUMBER_WORDS = {
    2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
    9: "nine", 10: "ten",
}  # fmt: skip
CITY = "what the rest of the city would predict"
WORSE = "worse than the rest of the city would predict"
# Words that no sentence may hold: they belong in the details.
JARGON = (
    "city-adjusted", "baseline", "q =", "q <", "Getis", "Gi*", "Mann-Kendall", "z =",
    "LISA", "Moran", "p =", "Sen's", "pooled", "false discovery",
)  # fmt: skip


@dataclass(frozen=True)
class Worded:
    """An alert in words: the ``sentence`` and the statistics behind it (``details``)."""

    sentence: str
    details: list[str]


def area_label(name: str, type_name: str) -> str:
    """An area as sentences name it, with its type, since a run raises alerts at several
    types: "Burngreave (Electoral ward)"."""
    return f"{name} ({type_name})" if type_name else name


def q_detail(q: float) -> str:
    value = f"q = {q:.2g}" if q >= 0.001 else "q < 0.001"
    return (
        f"False discovery rate {value} (how likely this is a chance finding across all "
        "the tests made)"
    )


def number_words(n: int) -> str:
    return _NUMBER_WORDS.get(n, str(n))


def lower_first(title: str) -> str:
    """ "Criminal damage" -> "criminal damage", but "IMD 2019 score" stays."""
    if len(title) > 1 and title[0].isupper() and title[1].islower():
        return title[0].lower() + title[1:]
    return title


def _span(periods: list[str]) -> str:
    return periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"


def window_label(periods: list[str], period_type: PeriodType | None) -> str:
    """The window an alert was found over, as a heading: "the 12 months 2023-01 to
    2023-12", "2023/24", "the 3 years 2021 to 2023"."""
    if not periods:
        return ""
    if len(periods) == 1:
        return periods[0]
    words = _PERIOD_WORDS.get(period_type, "years") if period_type is not None else "periods"
    return f"the {len(periods)} {words} {periods[0]} to {periods[-1]}"


def window_text(test: IndicatorTest) -> str:
    """ "in the last 12 months (2023-01 to 2023-12)", "in 2023/24", "over 2018 to 2023"."""
    periods = test.recent_periods
    words = _PERIOD_WORDS.get(test.panel.indicator.period_type)
    if words is None:
        return f"in {_span(periods)}" if len(periods) == 1 else f"over {_span(periods)}"
    return f"in the last {len(periods)} {words} ({_span(periods)})"


def _per_period(indicator: Indicator) -> str:
    return _ONE_PERIOD.get(indicator.period_type, "year")


def _baseline_text(test: IndicatorTest) -> str:
    recent, baseline = test.window
    periods = test.panel.periods[-(recent + baseline) : -recent]
    if not periods:
        return "Compared with the periods before"
    words = _PERIOD_WORDS.get(test.panel.indicator.period_type, "years")
    many = f"{len(periods)} {words}" if len(periods) > 1 else periods[0]
    return f"Compared with the {many} before ({_span(periods)})"


def _count_unit(indicator: Indicator, n: float) -> str:
    unit = str(indicator.unit or "").strip()
    if round(n) == 1 and unit.endswith("s"):
        unit = unit[:-1]
    return f" {unit}" if unit else ""


def _value(indicator: Indicator, v: float) -> str:
    """A value of a percentage or rate with its unit: "6.8%", "4.1 per 1,000 residents"."""
    if indicator.kind.measure == "proportion":
        return f"{v:.1f}%"
    unit = str(indicator.unit or "").strip()
    return f"{v:.1f} {unit}" if unit else f"{v:.1f}"


def _change_unit(indicator: Indicator) -> str:
    if indicator.kind.measure == "proportion":
        return "percentage points"
    return str(indicator.unit or indicator.kind.change_unit or "").strip()


def ratio_words(ratio: float) -> str:
    """A ratio to what was expected as a verb phrase in the simple past: "more than
    doubled", "rose by about half", "fell by about 30%", "rose to about three times"."""
    if ratio >= 1:
        if ratio >= 3:
            return f"rose to about {number_words(round(ratio))} times {CITY}"
        if ratio >= 2.75:
            return "nearly trebled"
        if ratio >= 2:
            return "more than doubled"
        if ratio >= 1.9:
            return "nearly doubled"
        if 1.4 <= ratio < 1.6:
            return "rose by about half"
        pct = max(5, 5 * round((ratio - 1) * 20))
        return f"rose by about {pct}%"
    if ratio <= 0.4:
        return f"fell to about {max(5, 5 * round(ratio * 20))}% of {CITY}"
    if ratio <= 0.6:
        return "roughly halved"
    return f"fell by about {max(5, 5 * round((1 - ratio) * 20))}%"


def _clause(test: IndicatorTest, i: int, window: str) -> str:
    """How area ``i`` changed, as a predicate in the simple past, with the window given:
    "more than doubled in the last 12 months (...) compared with what the rest of the
    city would predict: 46 crimes where about 21 were expected"."""
    ind = test.panel.indicator
    at = f" {window}" if window else ""
    if test.method == "trend":
        slope = float(test.stats["slope"][i])
        verb = "rising" if slope > 0 else "falling"
        unit = _change_unit(ind)
        unit = f" {unit}" if unit else ""
        return f"got worse{at}, {verb} by about {abs(slope):.2g}{unit} a {_per_period(ind)}"
    if "change" in test.stats and not math.isnan(float(test.stats["change"][i])):
        change = float(test.stats["change"][i])
        before = float(test.stats["value_baseline"][i])
        now = float(test.stats["value_recent"][i])
        verb = "rose" if change >= 0 else "fell"
        unit = _change_unit(ind)
        amount = f"{abs(change):.1f} {unit}".strip()
        span = f"from {_value(ind, before)} to {_value(ind, now)}"
        return f"{verb} by {amount} ({span}){at}, {WORSE}"
    ratio = float(test.stats["ratio"][i])
    observed = float(test.stats["observed"][i])
    if not math.isfinite(ratio):
        return f"reached {observed:.0f}{_count_unit(ind, observed)}{at}, after none before"
    expected = float(test.stats["expected"][i])
    words = ratio_words(ratio)
    compared = "" if CITY in words else f" compared with {CITY}"
    counted = (
        f"{observed:.0f}{_count_unit(ind, observed)} where about {expected:.0f} "
        f"{'was' if round(expected) == 1 else 'were'} expected"
    )
    return f"{words}{at}{compared}: {counted}"


def rising_text(test: IndicatorTest, i: int) -> str | None:
    """ "rising steadily since 2022-03" where a steady rise carried the evidence (for an
    indicator where lower is worse, "falling steadily"), else None."""
    since = test.rising_since(i)
    if since is None:
        return None
    higher = test.panel.indicator.polarity is Polarity.HIGHER_IS_WORSE
    return f"{'rising' if higher else 'falling'} steadily since {since}"


def stat_details(test: IndicatorTest, i: int, *, with_q: bool = True) -> list[str]:
    """The statistics behind one indicator's change in area ``i``."""
    ind = test.panel.indicator
    out: list[str] = []
    if test.method == "trend":
        out.append(
            f"Mann-Kendall trend test over {len(test.recent_periods)} points: z = "
            f"{float(test.stats['z'][i]):.2f}; Sen's slope {float(test.stats['slope'][i]):.3g} "
            f"a {_per_period(ind)}"
        )
    else:
        observed = float(test.stats["observed"][i])
        expected = float(test.stats["expected"][i])
        ratio = float(test.stats["ratio"][i])
        what = "events" if ind.kind.counted else "counted (the numerator)"
        ratio_s = f"ratio {ratio:.2f}" if math.isfinite(ratio) else "none expected"
        out.append(
            f"{observed:.0f} {what} in the recent window against {expected:.1f} expected "
            f"from the area's own past and the city's change ({ratio_s})"
        )
        out.append(_baseline_text(test))
        p_step, p_trend = float(test.stats["p_step"][i]), float(test.stats["p_trend"][i])
        if math.isfinite(p_step) and math.isfinite(p_trend):
            out.append(f"Step test p = {p_step:.2g}; change-of-slope test p = {p_trend:.2g}")
        if test.dispersion is not None:
            out.append(f"Overdispersion allowed for: {float(test.dispersion):.2f}")
    out.append(f"p = {float(test.p[i]):.2g}")
    if with_q:
        out.append(q_detail(float(test.q[i])))
    return out


def deterioration(test: IndicatorTest, i: int, area_name: str) -> Worded:
    title = str(test.panel.indicator.title)
    rising = rising_text(test, i)
    lead = f"{title} in {area_name}" + ("" if rising is None else f", {rising},")
    sentence = f"{lead} {_clause(test, i, window_text(test))}."
    return Worded(sentence, stat_details(test, i))


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


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def correlated(
    drivers: list[IndicatorTest],
    i: int,
    area_name: str,
    q_area: float,
    agency_names: dict[str, str] | None = None,
) -> Worded:
    """Several agencies' indicators getting worse in one area: each indicator and its
    agency named, each with how it changed."""
    names = agency_names or {}

    def agency(t: IndicatorTest) -> str:
        code = str(t.panel.indicator.agency)
        return names.get(code) or code

    agencies = sorted({agency(t) for t in drivers})
    parts = []
    for n, t in enumerate(drivers):
        rising = rising_text(t, i)
        rising_s = "" if rising is None else f", {rising},"
        title = str(t.panel.indicator.title)
        where = f" in {area_name}" if n == 0 else ""
        title = title if n == 0 else lower_first(title)
        parts.append(f"{title} ({agency(t)}){where}{rising_s} {_clause(t, i, window_text(t))}")
    steady = gradual(drivers, i)
    together = "" if steady is None else f" Together, a gradual deterioration{steady}."
    sentence = (
        f"{parts[0]}. At the same time, {'; and '.join(parts[1:])}: "
        f"{number_words(len(drivers))} indicators of {_and(agencies)} getting worse together."
        f"{together}"
    )
    details = [
        f"{len(drivers)} indicators of {len(agencies)} agencies tested together "
        "(partial conjunction, AdaFilter-BH across areas)",
        q_detail(q_area),
    ]
    for t in drivers:
        title = str(t.panel.indicator.title)
        details += [f"{title}: {d}" for d in stat_details(t, i)]
    return Worded(sentence, details)


def hotspot(
    test: IndicatorTest,
    centre: int,
    labels: list[str],
    size: int,
    quiet: int,
    stats: dict[str, float | str | None],
) -> Worded:
    """A cluster of ``size`` neighbouring areas around ``centre`` getting worse together
    (``quiet`` of them would not stand out on their own); ``stats`` the pooled z, q,
    the centre's Gi* z and LISA quadrant."""
    title = lower_first(str(test.panel.indicator.title))
    others = size - 1
    neighbours = f"{others} neighbouring area{'s' if others != 1 else ''}"
    if quiet == size:
        alone = "none of these areas stands out on its own"
    elif quiet == 0:
        alone = "each of them stands out on its own too"
    else:
        alone = f"{quiet} of these {size} areas would not stand out on their own"
    sentence = (
        f"{labels[centre]} and {neighbours} form a cluster that got worse together on "
        f"{title} {window_text(test)}. In {labels[centre]} itself, {title} "
        f"{_clause(test, centre, '')}; {alone}."
    )
    details = [
        f"{size} areas pooled as one shared change (neighbourhood scan, Monte Carlo): "
        f"z = {float(stats['pooled_z'] or 0):.1f}",
        q_detail(float(stats["q"] or 0)),
    ]
    if stats.get("gi_z") is not None:
        details.append(f"Getis-Ord Gi* z = {float(stats['gi_z'] or 0):.1f} at the centre")
    if stats.get("lisa"):
        details.append(f"Local Moran (LISA) quadrant at the centre: {stats['lisa']}")
    details += stat_details(test, centre, with_q=False)
    return Worded(sentence, details)


def gap(
    indicator: Indicator,
    part: str,
    periods: list[str],
    most_deprived: float,
    rest: float,
    slope: float,
    q: float,
) -> Worded:
    """The gap between the most deprived ``part`` (fifth, tenth) of areas and the rest of
    the city widening: the latest values and how fast the gap grows."""
    unit = indicator.kind.rate_unit(indicator.unit)
    latest = periods[-1]
    each = "quarter" if " to " in latest else _per_period(indicator)
    step = (
        f"{abs(slope):.2g} percentage points"
        if indicator.kind.measure == "proportion"
        else f"{abs(slope):.2g}{unit}"
    )
    sentence = (
        f"The gap in {lower_first(str(indicator.title))} between the most deprived {part} of "
        f"areas and the rest of the city is widening: {most_deprived:.3g}{unit} against "
        f"{rest:.3g}{unit} in {latest}, the gap growing by about {step} a {each} over "
        f"{len(periods)} {each}s."
    )
    details = [
        f"Trend of the absolute gap: {slope:+.3g} a {each} over {_span(periods)}",
        q_detail(q),
    ]
    return Worded(sentence, details)
