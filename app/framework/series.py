"""A measure's observed series: its indicator in its scope, as its statistic, pooled to
its reporting frequency, with 95% intervals and (where the values are counts) the counts
and exposure the trend's count model is fitted to.

The values come through the analysis's panels (:mod:`app.analysis.panels`), the same SQL
the API reads, so a board sees the numbers an officer can look up. Groups of areas are
the city's own deprivation ranking (:mod:`app.observations.deprivation`), and the gap
and the slope index of inequality are the gap view's (:mod:`app.analysis.stats.gap`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from app.analysis.detect import counts_of, judged
from app.analysis.gaps import pool_blocks
from app.analysis.panels import Areas, Panel, load_areas, load_panel
from app.analysis.stats.gap import deprivation_gap
from app.analysis.stats.intervals import rate_interval, z_value
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Indicator
from app.indicators.periods import PeriodType, parse_period
from app.observations.deprivation import city_ranking

Floats = NDArray[np.float64]
POPULATION = "population"
BLOCKS = {"month": 1, "quarter": 3, "year": 12}
Z95 = z_value(0.95)


class SeriesUnavailableError(ValueError):
    """Why a measure has no series yet (no values, no population, no ranking...)."""


@dataclass(frozen=True)
class MeasureScope:
    """What a series is of (a measure's scope and statistic)."""

    indicator: Indicator
    scope: str  # city | area | deprived | gap
    area_type: str
    area_code: str | None
    groups: int
    statistic: str  # level | rate | gap | sii
    frequency: str  # month | quarter | year


@dataclass(frozen=True)
class MeasureSeries:
    """Values per reporting period, oldest first. ``t`` is each period's time in months
    (its last month's start, counted from year 0), the trend models' clock; ``counts``
    and ``exposure`` are set where the statistic is a rate of counts (value = counts /
    exposure x ``scale``)."""

    periods: list[str]
    t: Floats
    value: Floats
    lower: Floats
    upper: Floats
    counts: Floats | None
    exposure: Floats | None
    scale: float
    unit: str
    span: int = 0  # months each period reaches back before its time (a quarter: 2)

    def __len__(self) -> int:
        return len(self.periods)

    @property
    def fit_scale(self) -> float:
        """From the trend's natural scale (a rate per head, for counts) to the measure's
        units: ``scale`` for counts, 1 for values."""
        return self.scale if self.counts is not None else 1.0


def month_index(day: date) -> float:
    return float(day.year * 12 + day.month - 1)


def period_time(indicator: Indicator, period: str) -> float:
    """The trend clock's time of ``period`` of the indicator's type (its start month)."""
    return month_index(parse_period(period, indicator.period_type).start)


def measure_series(session: Session, scope: MeasureScope) -> MeasureSeries:
    """The series of ``scope`` from the current values (raises SeriesUnavailableError)."""
    ind = scope.indicator
    areas = load_areas(session, scope.area_type)
    if not len(areas):
        raise SeriesUnavailableError(f"there are no {scope.area_type} areas")
    panel = load_panel(session, ind, areas)
    if panel is None:
        raise SeriesUnavailableError(f"{ind.code} has no values at {scope.area_type}")
    population = indicator_repo.indicator(session, POPULATION)
    pop_panel = None if population is None else load_panel(session, population, areas)
    counted = counts_of(panel, pop_panel)
    counts, exposure = counted if counted is not None else (None, None)
    if ind.kind.counted and exposure is None:
        raise SeriesUnavailableError(
            f"{ind.code} is a count, and {scope.area_type} has no population to make it a rate"
        )
    block = BLOCKS[scope.frequency] if ind.period_type is PeriodType.MONTH else 1
    ends = [month_index(s) for s in panel.starts]
    _, labels = pool_blocks(panel.value[:1], panel.periods, block)
    if not labels:
        raise SeriesUnavailableError(f"{ind.code} has fewer periods than one {scope.frequency}")
    n = len(labels) * block
    t = np.array(ends[-n:][block - 1 :: block], dtype=np.float64)
    scale = ind.kind.scale(ind.multiplier)
    unit = ind.kind.rate_unit(ind.unit)
    if ind.kind.counted and ind.period_type is PeriodType.MONTH:
        unit = f"{unit} a {scope.frequency}"  # counts in the period per head
    if scope.scope in ("city", "area"):
        rows = _rows(areas.codes, scope)
        found = _pooled(panel, counts, exposure, rows, block, labels, t, scale, unit)
    else:
        found = _grouped(session, scope, panel, counts, exposure, areas.ids, block, labels, t,
                         unit)  # fmt: skip
    return replace(found, span=block - 1)


def _rows(codes: list[str], scope: MeasureScope) -> NDArray[np.bool_]:
    if scope.scope == "city":
        return np.ones(len(codes), dtype=bool)
    rows = np.array([c == scope.area_code for c in codes])
    if not rows.any():
        raise SeriesUnavailableError(f"there is no {scope.area_type} area {scope.area_code!r}")
    return rows


def _pooled(
    panel: Panel,
    counts: Floats | None,
    exposure: Floats | None,
    rows: NDArray[np.bool_],
    block: int,
    labels: list[str],
    t: Floats,
    scale: float,
    unit: str,
) -> MeasureSeries:
    """The city's (or one area's) series: counts summed over areas and periods, or
    values averaged (weighted by their denominators where known)."""
    if counts is not None and exposure is not None:
        known = ~np.isnan(counts[rows]) & ~np.isnan(exposure[rows])
        c = np.where(known, counts[rows], 0.0).sum(axis=0, keepdims=True)
        e = np.where(known, exposure[rows], 0.0).sum(axis=0, keepdims=True)
        c_b, _ = pool_blocks(c, panel.periods, block)
        # The period's counts over its mean population: a rate for the whole quarter.
        e_b, _ = pool_blocks(e, panel.periods, block, mean=True)
        c1, e1 = c_b[0], e_b[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(e1 > 0, c1 / e1 * scale, np.nan)
        if panel.indicator.kind.count_model == "binomial":
            p = np.clip(value / scale, 0, 1)
            half = Z95 * np.sqrt(p * (1 - p) / np.where(e1 > 0, e1, np.nan)) * scale
            lower, upper = value - half, value + half
        else:
            lower, upper = rate_interval(c1, e1, scale)
        return MeasureSeries(labels, t, value, lower, upper, c1, e1, scale, unit)
    v = panel.value[rows]
    with np.errstate(invalid="ignore"):
        v_b, _ = pool_blocks(v, panel.periods, block, mean=True)
    n = np.count_nonzero(~np.isnan(v_b), axis=0).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(np.where(np.isnan(v_b), np.nan, v_b), axis=0)
        sd = np.nanstd(v_b, axis=0, ddof=1) if v_b.shape[0] > 1 else np.full_like(mean, np.nan)
        half = Z95 * sd / np.sqrt(n)
    return MeasureSeries(labels, t, mean, mean - half, mean + half, None, None, 1.0, unit)


def _grouped(
    session: Session,
    scope: MeasureScope,
    panel: Panel,
    counts: Floats | None,
    exposure: Floats | None,
    ids: NDArray[np.int64],
    block: int,
    labels: list[str],
    t: Floats,
    unit: str,
) -> MeasureSeries:
    """The most deprived group's series, or the gap (or SII) between it and the rest."""
    ranking = city_ranking(session, scope.area_type)
    if ranking is None:
        raise SeriesUnavailableError(
            f"{scope.area_type} has no deprivation ranking (IMD) to group by"
        )
    rank = np.array([ranking.rank.get(int(i), np.nan) for i in ids], dtype=np.float64)
    ind = scope.indicator
    if counts is not None and exposure is not None:
        num, _ = pool_blocks(counts, panel.periods, block)
        den, _ = pool_blocks(exposure, panel.periods, block, mean=True)
        result = deprivation_gap(
            rank, numerator=num, denominator=den, groups=scope.groups,
            multiplier=ind.kind.scale(ind.multiplier), count_model=ind.kind.count_model,
            polarity=judged(ind),
        )  # fmt: skip
    else:
        with np.errstate(invalid="ignore"):
            values, _ = pool_blocks(panel.value, panel.periods, block, mean=True)
        result = deprivation_gap(rank, value=values, groups=scope.groups, polarity=judged(ind))
    if scope.scope == "deprived":
        group = result.group == 0
        c = d = None
        if counts is not None and exposure is not None:
            known = ~np.isnan(num[group]) & ~np.isnan(den[group])
            c = np.where(known, num[group], 0.0).sum(axis=0)
            d = np.where(known, den[group], 0.0).sum(axis=0)
        return MeasureSeries(
            labels, t, result.most_deprived, result.most_deprived_lower,
            result.most_deprived_upper, c, d, ind.kind.scale(ind.multiplier), unit,
        )  # fmt: skip
    if ind.kind.measure == "proportion":
        unit = " percentage points"  # a gap between two percentages
    if scope.statistic == "sii":
        return MeasureSeries(
            labels, t, result.sii, result.sii_lower, result.sii_upper, None, None, 1.0, unit
        )
    return MeasureSeries(
        labels, t, result.absolute, result.absolute_lower, result.absolute_upper, None, None,
        1.0, unit,
    )  # fmt: skip


@dataclass
class Memo:
    """Panels shared by the measures of one assessment (several measures often read one
    indicator at one area type)."""

    areas: dict[str, Areas] = field(default_factory=dict)
    panels: dict[tuple[str, str], Panel | None] = field(default_factory=dict)

    def areas_of(self, session: Session, type_code: str) -> Areas:
        if type_code not in self.areas:
            self.areas[type_code] = load_areas(session, type_code)
        return self.areas[type_code]

    def panel(self, session: Session, indicator: Indicator, type_code: str) -> Panel | None:
        key = (indicator.code, type_code)
        if key not in self.panels:
            self.panels[key] = load_panel(session, indicator, self.areas_of(session, type_code))
        return self.panels[key]
