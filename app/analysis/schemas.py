"""Response models of alerts, analysis runs and area profiles."""

from __future__ import annotations

from typing import Any

from app.contracts import Contract
from app.indicators.schemas import IndicatorSummary


class AlertOut(Contract):
    """One finding of a run, in words (``sentence``) and numbers (``stats``)."""

    id: int
    run_id: int
    kind: str
    area_code: str | None
    area_name: str | None
    area_type: str | None  # the area type whose analysis found it
    area_type_name: str | None
    indicators: list[str]
    agencies: list[str]
    period_from: str | None
    period_to: str | None
    q: float | None
    sentence: str
    stats: dict[str, Any]
    created_at: str
    links: dict[str, str]


class AlertsOut(Contract):
    run: int | None
    alerts: list[AlertOut]
    notes: list[str]


class RunListed(Contract):
    """An analysis run as listed: what it was asked, when, and how many alerts."""

    id: int
    trigger: str
    batch_id: int | None
    actor: str
    status: str
    params: dict[str, Any]
    error: str | None
    started_at: str | None
    finished_at: str | None
    alerts: int
    links: dict[str, str]


class RunOut(RunListed):
    """One run in full: also what it saw (``data``) and what it found (``summary``)."""

    data: dict[str, Any]
    summary: dict[str, Any]


class ProfileArea(Contract):
    code: str
    name: str
    type: str
    vintage: int


class SeriesPoint(Contract):
    period: str
    value: float | None


class ProfileEntry(Contract):
    """One indicator's latest value for the area, against the city, and its trend."""

    indicator: IndicatorSummary
    period: str
    value: float | None
    suppressed: bool
    numerator: float | None
    denominator: float | None
    fit: float | None = None  # an estimated value's share of the area's people in whole sources
    estimated: str | None = None  # "estimated from LSOAs, 94% fit"; None for a stored value
    low_fit: bool = False  # the fit is below 0.8: a rough estimate
    trend: dict[str, Any]
    recent_trend: dict[str, Any] | None
    series: list[SeriesPoint]
    benchmark: dict[str, Any]
    similar: dict[str, Any] | None  # against the similar areas; None: see similar_why
    similar_why: str | None


class SimilarGroupOut(Contract):
    """The area's similar areas: the others of its type in its city-own IMD quintile."""

    quintile: int  # 1 = the most deprived fifth
    of: int
    ranked_by: str
    edition: str
    areas: int
    description: str


class ProfileOut(Contract):
    area: ProfileArea
    benchmark: str
    similar: SimilarGroupOut | None
    similar_why: str | None  # why the area has no similar areas, when it has none
    indicators: list[ProfileEntry]
    alerts: list[AlertOut]
    alerts_run: int | None
