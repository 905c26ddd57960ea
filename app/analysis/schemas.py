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
    """One period of a trend chart: the area's value with its 95% interval (``low``,
    ``high``; null without counts) and the city's on the same scale (``city``; for a
    count, the count at the city's rate per resident)."""

    period: str
    value: float | None
    suppressed: bool = False
    low: float | None = None
    high: float | None = None
    city: float | None = None


class ProfileGroup(Contract):
    """Who supplies an indicator and what it is filed under."""

    agency: str
    agency_name: str  # the agency's title, else its code
    topic: str


class ProfileGroupOut(ProfileGroup):
    """A group of the profile, in the order to show them, with its indicators' codes."""

    indicators: list[str]


class Interval(Contract):
    low: float
    high: float
    level: float  # 0.95


class CityValue(Contract):
    """The city's value on the scale of the area's (null, with ``why``, when withheld)."""

    value: float | None
    what: str | None  # "the city as a whole", "the median area", "at the city's rate (...)"
    why: str | None


class Spine(Contract):
    """The values of every area of the city's type in the same headline, as the viewer
    sees them (hidden ones left out and counted in ``hidden``)."""

    min: float
    q1: float
    median: float
    q3: float
    max: float
    n: int
    hidden: int
    area_rank: int | None  # 1 = the highest value; null when the area's is hidden


class RateOut(Contract):
    """A count per 1,000 residents, as the city comparison makes it."""

    value: float
    low: float | None
    high: float | None
    city: float | None
    per: int
    unit: str
    population: float


class Window(Contract):
    from_: str = Field(alias="from")
    to: str
    months: int


class Headline(Contract):
    """A value and what it is read against."""

    value: float | None
    suppressed: bool
    numerator: float | None
    denominator: float | None
    interval: Interval | None
    city: CityValue
    spine: Spine | None  # null below 3 visible values
    rate: RateOut | None  # counts only


class LatestMonth(Headline):
    period: str


class EntryAlert(Contract):
    id: int
    kind: str
    period_from: str | None
    period_to: str | None


class ProfileEntry(Headline):
    """One indicator for the area: its headline (the 12-month total, or rate, of a
    monthly count; else the latest period) against the city, its trend and series."""

    indicator: IndicatorSummary
    group: ProfileGroup
    definition: str
    source: str
    licence: str
    period: str  # "2023-12", or a window "2023-01 to 2023-12"
    window: Window | None
    latest_month: LatestMonth | None  # a windowed entry's newest month alone
    fit: float | None = None  # an estimated value's share of the area's people in whole sources
    estimated: str | None = None  # "estimated from LSOAs, 94% fit"; None for a stored value
    low_fit: bool = False  # the fit is below 0.8: a rough estimate
    trend: dict[str, Any]
    recent_trend: dict[str, Any] | None
    trend_word: str
    series: list[SeriesPoint]
    benchmark: dict[str, Any]
    similar: dict[str, Any] | None  # against the similar areas; None: see similar_why
    similar_why: str | None
    alerts: list[EntryAlert]  # the area's alerts involving the indicator


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
    groups: list[ProfileGroupOut]
    indicators: list[ProfileEntry]
    alerts: list[AlertOut]
    alerts_run: int | None
