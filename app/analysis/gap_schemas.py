"""Response models of the gap view."""

from __future__ import annotations

from app.contracts import Contract
from app.indicators.schemas import IndicatorSummary


class Ranking(Contract):
    """The deprivation indicator the city's areas are ranked by, and how many it ranks."""

    indicator: str
    title: str
    period: str
    areas_ranked: int
    areas: int


class Grouping(Contract):
    """How the groups were made: ``basis`` "city" (the city's own ranking of its areas,
    not England's deciles), in fields and in words (``description``, ``label``)."""

    area_type: str
    area_type_name: str
    basis: str
    groups: int
    group: str
    ranking: Ranking
    most_deprived_areas: int
    rest_areas: int
    description: str
    label: str


class DeprivationGroupsOut(Grouping):
    """The most deprived group's areas, most deprived first."""

    codes: list[str]


class Interval(Contract):
    value: float | None
    lower: float | None
    upper: float | None


class GapPeriod(Contract):
    """One (pooled) period: withheld periods have no values."""

    period: str
    withheld: bool
    most_deprived: Interval
    rest: Interval
    absolute_gap: Interval
    relative_gap: Interval
    sii: Interval


class GapTrend(Contract):
    """The gap's weighted trend over the periods: ``verdict`` narrowing, widening,
    no_significant_change or insufficient_data; ``words`` the same for people."""

    verdict: str
    words: str
    slope_per_period: float | None
    lower: float | None
    upper: float | None
    p: float | None
    periods: int


class GapOut(Grouping):
    indicator: IndicatorSummary
    measure: str
    pooled: str | None
    confidence: float
    periods: list[GapPeriod]
    trend: GapTrend
    relative_trend: GapTrend
    disadvantaged: str | None
    sentence: str
    notes: list[str]
