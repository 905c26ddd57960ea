"""Response models of alerts, analysis runs and area profiles."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.contracts import Contract
from app.indicators.schemas import IndicatorSummary


class AlertWindow(Contract):
    """The periods an alert was found over (its lead indicator's recent window)."""

    from_: str | None = Field(alias="from")
    to: str | None
    periods: int
    label: str  # "the 12 months 2023-01 to 2023-12", "2023/24"


class AlertMap(Contract):
    """What the map shows for an alert: its (lead) indicator at its area type in the
    window's last period, outlining ``areas`` (a cluster's every area; none for a gap)."""

    indicator: str | None
    type: str | None
    period: str | None
    areas: list[str]


class Acknowledged(Contract):
    by: str  # the account's user name
    by_name: str  # its display name, else its user name
    at: str
    note: str | None


class AssignedTo(Contract):
    name: str  # the assignee's user name
    display_name: str
    by: str
    by_name: str
    at: str


class AlertOut(Contract):
    """One finding of a run, in words (``sentence``, and the statistics behind it in
    ``details``) and numbers (``stats``); when it was first raised; where the map should
    go; and, for partners, what officers did about it."""

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
    details: list[str]
    stats: dict[str, Any]
    created_at: str
    raised_at: str  # when this alert's series of runs first raised it
    first_run_id: int
    window: AlertWindow
    map: AlertMap
    acknowledged: Acknowledged | None  # None for the public, whatever was done
    assigned_to: AssignedTo | None
    links: dict[str, str]


class AcknowledgementIn(BaseModel):
    """An acknowledgement: an optional note (what is being done, who was told)."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(None, max_length=2000, description="What is being done about it")

    @field_validator("note")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("text must not hold a NUL character")
        return value


class AssignmentIn(BaseModel):
    """An assignment: the account (user name, or id) that is to act on the alert."""

    model_config = ConfigDict(extra="forbid")

    user: str = Field(min_length=1, max_length=200, description="A user name or an account id")

    @field_validator("user")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("text must not hold a NUL character")
        return value


class HandlingEvent(Contract):
    """One thing done about an alert: acknowledged (with ``note``) or assigned (to
    ``name``), by whom, when, on which alert of which run."""

    action: str  # acknowledged | assigned
    by: str
    by_name: str
    at: str
    note: str | None = None
    name: str | None = None
    display_name: str | None = None
    alert_id: int
    run_id: int


class AlertHistoryOut(Contract):
    alert: int
    first_run_id: int
    raised_at: str
    events: list[HandlingEvent]


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
