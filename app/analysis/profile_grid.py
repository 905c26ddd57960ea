"""Every area of a type at once, for the profile: each indicator as a grid of areas by
periods as one viewer may see it, with the city's value in each period, 95% intervals,
the 12-month window of monthly values and the distribution of the type's areas (the
spine chart), worked out once per database state and audience
(:func:`type_grids`), so that opening a profile only looks its area up.

Disclosure: a hidden cell has no value, interval or window total (a 12-month total with
one hidden month would give that month back by difference); the spine is made of the
values the viewer sees (each is published, so its order statistics are too); the city's
value is withheld in a period whose type total the disclosure control withholds, and a
window's wherever one of its months' is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from app.access import policy
from app.access.viewer import Viewer
from app.analysis.detect import judged
from app.analysis.profile_counts import CityCounts
from app.analysis.rounding import rounded
from app.analysis.stats.compare import LevelComparison, compare_counts_to_benchmark
from app.analysis.stats.intervals import (
    poisson_count_interval,
    proportion_interval,
    rate_interval,
)
from app.analysis.stats.trend import MannKendallResult, mann_kendall
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Indicator
from app.indicators.periods import PeriodError, PeriodType, parse_period
from app.indicators.service import visible_indicators
from app.observations import disclosure
from app.observations import values as values_repo
from app.observations.derivation import values_sql
from app.observations.query import available_periods
from app.observations.similar import SimilarGroups, similar_groups
from app.snapshots import cached

F = NDArray[np.float64]
B = NDArray[np.bool_]
WINDOW_MONTHS = 12
TREND_POINTS = 24  # a profile's trend: up to two years of months
MIN_SPINE = 3  # a spine of fewer areas is no distribution
POPULATION = "population"
CITY_WITHHELD = "the city's value rests on counts too small to publish"


@dataclass
class Window:
    """The last 12 months of a monthly indicator, ending at its newest month."""

    first: int  # column of the first month
    periods: list[str]

    @property
    def label(self) -> str:
        return f"{self.periods[0]} to {self.periods[-1]}"

    def summary(self) -> dict[str, Any]:
        return {"from": self.periods[0], "to": self.periods[-1], "months": len(self.periods)}


@dataclass
class Column:
    """One headline period (a period, or a window) of every area: values on the
    indicator's scale, counts behind them, what is hidden, 95% intervals."""

    label: str
    value: F
    num: F
    den: F
    hidden: B
    low: F
    high: F
    pop: F  # population at the period's start (counts only; NaN otherwise)
    city: float | None  # on the comparison scale (per 1,000 residents for counts)
    city_why: str | None
    counts: CityCounts | None  # what the benchmarks are worked out from
    spine: dict[str, Any] | None = None
    periods: list[str] = field(default_factory=list)
    compared: Compared | None = None  # every area's comparisons, worked out together


@dataclass
class Compared:
    """Every area's comparisons in a headline (95% and 99.8%): with the city
    (``city``), and with its similar areas less itself (``similar``: the area against
    the group's value; ``group``: the group against the city), with the group's
    ``k``, ``n`` and number of areas ``m`` (0: none)."""

    ok: B  # the area has counts to compare
    city: dict[float, LevelComparison]
    similar: dict[float, LevelComparison] | None = None
    group: dict[float, LevelComparison] | None = None
    k: F | None = None
    n: F | None = None
    m: NDArray[np.int64] | None = None


@dataclass
class Grid:
    """One indicator's values at one area type: areas (rows) by periods (columns)."""

    indicator: Indicator
    type_code: str
    codes: list[str]
    index: dict[str, int]
    ids: list[int]
    periods: list[str]
    starts: list[date]
    value: F
    num: F
    den: F
    present: B
    hidden: B
    fit: F
    derived: dict[tuple[int, int], str]
    low: F
    high: F
    pop: F
    city: F  # per period, on the comparison scale; NaN where withheld or none
    city_hidden: B  # per period: the type's total is withheld
    window: Window | None
    headline: Column
    latest: Column
    seen: disclosure.Disclosure
    trend: MannKendallResult | None  # of each area's last TREND_POINTS periods

    def hides_similar(self, group: int, period: str) -> bool:
        """Whether the similar areas of ``group`` in ``period`` are withheld."""
        return self.seen.hides_similar(self.type_code, group, period)


def type_grids(session: Session, viewer: Viewer, type_code: str) -> dict[str, Grid]:
    """The grids of every indicator the viewer sees at ``type_code``, by code (kept while
    the database is unchanged)."""

    def build() -> dict[str, Grid]:
        people = indicator_repo.indicator(session, POPULATION)
        population = _raw(session, people, type_code) if people is not None else None
        found = similar_groups(session, type_code)
        groups = found if isinstance(found, SimilarGroups) else None
        out = {}
        for indicator in visible_indicators(session, viewer):
            grid = build_grid(session, viewer, indicator, type_code, population, groups)
            if grid is not None:
                out[indicator.code] = grid
        return out

    return cached(session, policy.cache_key(viewer, "profile-grids", type_code), build)


@dataclass
class _Raw:
    """An indicator's rows at a type as arrays: areas (``codes``, ``ids``) by periods."""

    codes: list[str]
    ids: list[int]
    periods: list[str]
    starts: list[date]
    value: F
    num: F
    den: F
    fit: F
    present: B
    derived: dict[tuple[int, int], str]


def _raw(
    session: Session, indicator: Indicator, type_code: str, start: date | None = None
) -> _Raw | None:
    """The values of ``indicator`` at ``type_code`` (of periods starting from ``start``)."""
    value_filter = values_repo.ValueFilter(type_code, None, start, None)
    query = values_sql(session, indicator, value_filter, "g_", [])
    if query is None:
        return None
    rows = values_repo.fetch(session, query)
    if not rows:
        return None
    codes: dict[str, int] = {}
    ids: list[int] = []
    by_period: dict[str, date] = {}
    for r in rows:
        if r.area_code not in codes:
            codes[r.area_code] = len(codes)
            ids.append(int(r.area_id))
        by_period.setdefault(r.period, r.period_start)
    periods = sorted(by_period, key=lambda p: by_period[p])
    column = {p: i for i, p in enumerate(periods)}
    a = np.fromiter((codes[r.area_code] for r in rows), dtype=np.int64, count=len(rows))
    p = np.fromiter((column[r.period] for r in rows), dtype=np.int64, count=len(rows))
    shape = (len(codes), len(periods))
    arrays = []
    for name in ("value", "numerator", "denominator", "fit"):
        out = np.full(shape, np.nan)
        out[a, p] = np.array([getattr(r, name) for r in rows], dtype=np.float64)
        arrays.append(out)
    present = np.zeros(shape, dtype=bool)
    present[a, p] = True
    derived = {(codes[r.area_code], column[r.period]): str(r.derived_from)
               for r in rows if r.derived_from is not None}  # fmt: skip
    value, num, den, fit = arrays
    starts = [by_period[q] for q in periods]
    return _Raw(list(codes), ids, periods, starts, value, num, den, fit, present, derived)


def build_grid(
    session: Session,
    viewer: Viewer,
    indicator: Indicator,
    type_code: str,
    population: _Raw | None,
    groups: SimilarGroups | None = None,
) -> Grid | None:
    """The grid of ``indicator`` at ``type_code``: its last :data:`TREND_POINTS` periods
    (all a profile shows or tests), read once."""
    start = _first_kept(session, viewer, indicator, type_code)
    raw = _raw(session, indicator, type_code, start)
    if raw is None:
        return None
    n_p = len(raw.periods)
    seen = disclosure.for_viewer(
        session, viewer, indicator, start, None if start is None else raw.starts[-1]
    )
    hidden = np.zeros_like(raw.present)
    if seen.mask is not None and seen.mask.cells:
        row_of = {area_id: i for i, area_id in enumerate(raw.ids)}
        col_of = {q: i for i, q in enumerate(raw.periods)}
        for area_id, period in seen.mask.cells:
            if area_id in row_of and period in col_of:
                hidden[row_of[area_id], col_of[period]] = True
    hidden &= raw.present
    # Hidden cells keep their counts for the city's total (protected as a whole), never
    # for anything shown per area.
    all_value, all_num, all_den = raw.value, raw.num, raw.den
    value, num, den = (np.where(hidden, np.nan, m) for m in (all_value, all_num, all_den))
    fit = np.where(hidden, np.nan, raw.fit)
    derived = {k: v for k, v in raw.derived.items() if not hidden[k]}
    present = raw.present
    pop = _population_at(raw, population) if indicator.kind.counted else np.full_like(value, np.nan)
    city = np.full(n_p, np.nan)
    city_hidden = np.array([seen.hides_total(type_code, p) for p in raw.periods], dtype=bool)
    for p in range(n_p):
        if not city_hidden[p]:
            city[p] = pooled(indicator, all_value[:, p], all_num[:, p], all_den[:, p], pop[:, p],
                             present[:, p], hidden[:, p])  # fmt: skip
    low, high = intervals(indicator, value, num, den)
    window = _window(indicator, raw)
    latest = _column(indicator, raw.periods[-1], [n_p - 1], value, num, den, all_value,
                     all_num, all_den, present, hidden, pop, city_hidden)  # fmt: skip
    headline = latest
    if window is not None:
        cols = list(range(window.first, n_p))
        headline = _column(indicator, window.label, cols, value, num, den, all_value, all_num,
                           all_den, present, hidden, pop, city_hidden)  # fmt: skip
    for column in {id(latest): latest, id(headline): headline}.values():
        column.spine = spine_of(column.value, column.hidden)
        column.counts = _city_counts(indicator, raw.codes, column)
        column.compared = _compared(indicator, column, groups_of(raw.ids, groups))
    return Grid(
        indicator, type_code, raw.codes, {c: i for i, c in enumerate(raw.codes)}, raw.ids,
        raw.periods, raw.starts, value, num, den, present, hidden, fit, derived, low, high,
        pop, city, city_hidden, window, headline, latest, seen, _trends(value, present),
    )  # fmt: skip


def _first_kept(
    session: Session, viewer: Viewer, indicator: Indicator, type_code: str
) -> date | None:
    """The start of the oldest period a profile needs (None: every period)."""
    labels = available_periods(session, viewer, indicator, type_code)
    if len(labels) <= TREND_POINTS:
        return None
    try:
        return parse_period(labels[-TREND_POINTS], indicator.period_type).start
    except PeriodError:
        return None


def _window(indicator: Indicator, raw: _Raw) -> Window | None:
    """The last 12 months of a monthly count (or of a rate or percentage of counts);
    None for other indicators, or with fewer than 12 consecutive months."""
    if indicator.period_type != PeriodType.MONTH or len(raw.periods) < WINDOW_MONTHS:
        return None
    if not (indicator.kind.counted or indicator.kind.measure in ("rate", "proportion")):
        return None
    if indicator.kind.discloses == "denominator":  # means and scores do not add up
        return None
    first = len(raw.periods) - WINDOW_MONTHS
    start, end = raw.starts[first], raw.starts[-1]
    if (end.year - start.year) * 12 + end.month - start.month != WINDOW_MONTHS - 1:
        return None
    return Window(first, raw.periods[first:])


def _column(
    indicator: Indicator,
    label: str,
    cols: list[int],
    value: F,
    num: F,
    den: F,
    all_value: F,
    all_num: F,
    all_den: F,
    present: B,
    hidden: B,
    pop: F,
    city_hidden: B,
) -> Column:
    """The headline of ``cols`` (one period, or a window whose values are summed:
    counts and numerators summed, denominators of rates averaged over the months,
    of percentages summed)."""
    whole: B = np.asarray(present[:, cols].all(axis=1))
    h: B = np.asarray(hidden[:, cols].any(axis=1))
    rate = not indicator.kind.counted and indicator.kind.measure == "rate"

    def combine(m: F, average: bool = False) -> F:
        out = m[:, cols].mean(axis=1) if average else m[:, cols].sum(axis=1)
        return np.where(whole, out, np.nan)

    if len(cols) == 1:
        v, n, d = value[:, cols[0]], num[:, cols[0]], den[:, cols[0]]
        av, an, ad = all_value[:, cols[0]], all_num[:, cols[0]], all_den[:, cols[0]]
    else:
        n, an = combine(num), combine(all_num)
        d, ad = combine(den, rate), combine(all_den, rate)
        scale = float(indicator.multiplier or 1)
        if indicator.kind.counted:
            v, av = combine(value), combine(all_value)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                v, av = n / d * scale, an / ad * scale
    v = np.where(h, np.nan, v)
    n, d = np.where(h, np.nan, n), np.where(h, np.nan, d)
    p = pop[:, cols[-1]]
    withheld = bool(city_hidden[cols].any())
    city = None
    if not withheld:
        found = pooled(indicator, av, an, ad, p, whole, h)
        city = None if np.isnan(found) else float(found)
    low, high = intervals(indicator, v, n, d)
    return Column(label, v, n, d, h, low, high, p, city, CITY_WITHHELD if withheld else None,
                  None, periods=[])  # fmt: skip


def pooled(indicator: Indicator, value: F, num: F, den: F, pop: F, present: B, hidden: B) -> float:
    """The city's value of one period from every area's (hidden ones too: the total is
    protected as a whole): counts per 1,000 residents (every area with a count must have
    a population), numerators over denominators, else the typical area (only where
    nothing is hidden: a median of values some of which are hidden could give one
    back). NaN where none can be made."""
    has = present & ~np.isnan(value)
    if not has.any():
        return float("nan")
    if indicator.kind.counted:
        if np.isnan(pop[has]).any() or np.nansum(pop[has]) <= 0:
            return float("nan")
        return float(value[has].sum() / pop[has].sum() * 1000.0)
    complete = has & ~np.isnan(num) & ~np.isnan(den)
    if complete.sum() == has.sum() and den[complete].sum() > 0:
        scale = indicator.kind.scale(indicator.multiplier)
        return float(num[complete].sum() / den[complete].sum() * scale)
    if hidden.any():
        return float("nan")
    values = value[has]
    return float(values.mean() if indicator.kind.typical == "mean" else np.median(values))


def intervals(indicator: Indicator, value: F, num: F, den: F) -> tuple[F, F]:
    """95% intervals on the value's scale: counts as Poisson (exact below 10, Byar from
    10), percentages by Wilson, rates as Poisson counts over their denominators; NaN
    where there are no counts (means, scores)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if indicator.kind.counted:
            ok = ~np.isnan(value) & (value >= 0)
            lo, hi = poisson_count_interval(np.where(ok, value, np.nan))
        else:
            ok = ~np.isnan(num) & ~np.isnan(den) & (den > 0) & (num >= 0)
            scale = float(indicator.multiplier or 1)
            k, n = np.where(ok, num, np.nan), np.where(ok, den, np.nan)
            if indicator.kind.measure == "proportion":
                ok &= num <= den
                k, n = np.where(ok, num, 0.0), np.where(ok, den, 1.0)
                lo, hi = proportion_interval(k, n, scale)
            elif indicator.kind.discloses == "denominator":
                ok &= False
                lo, hi = np.full_like(value, np.nan), np.full_like(value, np.nan)
            else:
                lo, hi = rate_interval(k, n, scale)
    return np.where(ok, lo, np.nan), np.where(ok, hi, np.nan)


def spine_of(values: F, hidden: B) -> dict[str, Any] | None:
    """The distribution of the values the viewer sees: min, quartiles (numpy's linear
    interpolation), max, how many (``n``) and how many are hidden; None below
    :data:`MIN_SPINE` values."""
    seen = values[~hidden & ~np.isnan(values)]
    if len(seen) < MIN_SPINE:
        return None
    q1, median, q3 = np.percentile(seen, [25, 50, 75])
    return {
        "min": rounded(float(seen.min())),
        "q1": rounded(float(q1)),
        "median": rounded(float(median)),
        "q3": rounded(float(q3)),
        "max": rounded(float(seen.max())),
        "n": len(seen),
        "hidden": int(hidden.sum()),
        "sorted": np.sort(seen),
    }


def _city_counts(indicator: Indicator, codes: list[str], column: Column) -> CityCounts | None:
    """Every area's count and denominator in a headline, for the benchmarks (counts
    per 1,000 residents). Hidden areas are left out: only the city's value uses them."""
    if column.city is None:
        return None
    if indicator.kind.counted:
        k, n = column.value, column.pop
        measure, scale = "rate", 1000.0
    else:
        k, n = column.num, column.den
        measure, scale = indicator.kind.measure, indicator.kind.scale(indicator.multiplier)
    ok = ~np.isnan(k) & ~np.isnan(n) & (n > 0)
    return CityCounts(
        {codes[i]: float(k[i]) for i in np.flatnonzero(ok)},
        {codes[i]: float(n[i]) for i in np.flatnonzero(ok)},
        column.city, measure, scale,  # type: ignore[arg-type]
    )  # fmt: skip


def _population_at(raw: _Raw, population: _Raw | None) -> F:
    """Each area's population at each period's start: the latest starting on or before
    it, else the earliest known (NaN without one)."""
    out = np.full((len(raw.codes), len(raw.periods)), np.nan)
    if population is None:
        return out
    where = {c: i for i, c in enumerate(population.codes)}
    pops = population.value
    filled = pops.copy()
    for p in range(1, filled.shape[1]):  # carried forward from the latest known
        filled[:, p] = np.where(np.isnan(filled[:, p]), filled[:, p - 1], filled[:, p])
    first = filled[:, -1].copy()
    for p in range(filled.shape[1] - 1, -1, -1):  # the earliest known
        first = np.where(np.isnan(pops[:, p]), first, pops[:, p])
    rows = np.array([where.get(c, -1) for c in raw.codes])
    known = rows >= 0
    for j, start in enumerate(raw.starts):
        before = [q for q, s in enumerate(population.starts) if s <= start]
        col = filled[:, before[-1]] if before else np.full(len(population.codes), np.nan)
        col = np.where(np.isnan(col), first, col)
        out[known, j] = col[rows[known]]
    return out


def groups_of(ids: list[int], groups: SimilarGroups | None) -> NDArray[np.int64] | None:
    """Each area's similar-areas group (-1: none); None without groups."""
    if groups is None:
        return None
    return np.array([-1 if (g := groups.group(i)) is None else g for i in ids], dtype=np.int64)


def _counts_of(indicator: Indicator, column: Column) -> tuple[F, F, B]:
    """Each area's count and denominator the comparisons test (per resident for a
    count), with where they are usable (0 and 1 elsewhere, so no test refuses them)."""
    if indicator.kind.counted:
        k, n = column.value, column.pop
    else:
        k, n = column.num, column.den
    with np.errstate(invalid="ignore"):
        ok = ~np.isnan(k) & ~np.isnan(n) & (n > 0) & (k >= 0)
        if indicator.kind.measure == "proportion" and not indicator.kind.counted:
            ok &= k <= n
    return np.where(ok, k, 0.0), np.where(ok, n, 1.0), ok


def _compared(
    indicator: Indicator, column: Column, groups: NDArray[np.int64] | None
) -> Compared | None:
    """Every area's comparison with the city and with its similar areas, as
    :func:`app.analysis.stats.compare.compare_counts_to_benchmark` makes them, in one
    call for all areas."""
    counts = column.counts
    if counts is None:
        return None
    k, n, ok = _counts_of(indicator, column)
    polarity = judged(indicator)

    def compare(kk: F, nn: F, benchmark: F | float) -> dict[float, LevelComparison]:
        bench = np.broadcast_to(np.asarray(benchmark, dtype=float), kk.shape)
        return compare_counts_to_benchmark(kk, nn, bench, polarity, measure=counts.measure,
                                           multiplier=counts.scale)  # fmt: skip

    out = Compared(ok, compare(k, n, counts.city))
    if groups is None:
        return out
    kg = np.zeros(len(k))
    ng = np.zeros(len(k))
    mg = np.zeros(len(k), dtype=np.int64)
    for g in np.unique(groups[groups >= 0]):
        members = (groups == g) & ok
        kg[groups == g] = k[members].sum()
        ng[groups == g] = n[members].sum()
        mg[groups == g] = int(members.sum())
    # The area itself left out of its own group.
    kg, ng, mg = kg - np.where(ok, k, 0.0), ng - np.where(ok, n, 0.0), mg - ok.astype(np.int64)
    has = (mg > 0) & (ng > 0) & (groups >= 0)
    kg, ng = np.where(has, kg, 0.0), np.where(has, ng, 1.0)
    value = kg / ng * counts.scale
    out.similar, out.group = compare(k, n, value), compare(kg, ng, counts.city)
    out.k, out.n, out.m = kg, ng, np.where(has, mg, 0)
    return out


def _trends(value: F, present: B) -> MannKendallResult | None:
    """Mann-Kendall of every area's last :data:`TREND_POINTS` periods at once (each
    area's visible values: hidden ones are gaps)."""
    if value.shape[1] == 0:
        return None
    return mann_kendall(value[:, -TREND_POINTS:])
