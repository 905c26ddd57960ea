"""Request and response models of the performance framework."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.contracts import Contract

VERSION = "The version you read: refused (409) if someone changed it since"


class In(BaseModel):
    """A request body: unknown fields are refused (a misspelt field is not ignored), and
    so is any text holding a NUL character (PostgreSQL's text cannot hold one)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if _holds_nul(data):
            raise ValueError("text must not hold a NUL character")
        return data


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(v) for v in value)
    return False


# --- boards ------------------------------------------------------------------------------


class BoardIn(In):
    code: str = Field(max_length=200, examples=["safer-communities"])
    name: str = Field(max_length=1000, examples=["Safer and Stronger Communities Partnership"])
    kind: Literal["strategic", "executive", "thematic", "task_and_finish"] = "thematic"
    parent: str | None = Field(default=None, max_length=200, description="The board it reports to")
    email: str | None = Field(default=None, max_length=320)
    webhook_url: str | None = Field(default=None, max_length=2000)
    webhook_secret: str | None = Field(default=None, max_length=500, description="HMAC key")


class BoardPatch(In):
    name: str | None = Field(default=None, max_length=1000)
    kind: Literal["strategic", "executive", "thematic", "task_and_finish"] | None = None
    parent: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    webhook_url: str | None = Field(default=None, max_length=2000)
    webhook_secret: str | None = Field(default=None, max_length=500)
    version: int | None = Field(default=None, ge=1, le=2**31 - 1, description=VERSION)


class MemberIn(In):
    username: str = Field(max_length=200)
    role: Literal["chair", "member"] = "member"


class MeetingIn(In):
    meets_on: date
    updates_due: date | None = Field(default=None, description="Default: a week before")


class InterestIn(In):
    kind: Literal["action", "measure", "indicator", "area"]
    code: str = Field(
        max_length=200, description="The action's, measure's, indicator's or area's code"
    )


class MemberOut(Contract):
    user_id: int
    username: str
    name: str
    email: str | None
    role: str


class MeetingOut(Contract):
    id: int
    meets_on: date
    updates_due: date


class InterestOut(Contract):
    id: int
    kind: str
    action: str | None
    measure: str | None
    indicator: str | None
    area: str | None
    area_name: str | None
    area_type: str | None = None
    area_id: int | None


class BoardOut(Contract):
    id: int
    code: str
    name: str
    kind: str
    parent: str | None
    email: str | None
    webhook: bool
    version: int
    members: list[MemberOut]
    meetings: list[MeetingOut]
    interests: list[InterestOut]


# --- outcomes, measures, targets ---------------------------------------------------------


class OutcomeIn(In):
    code: str = Field(max_length=200)
    title: str = Field(max_length=1000)
    parent: str | None = Field(default=None, max_length=200)


class OutcomeOut(Contract):
    id: int
    code: str
    title: str
    parent: str | None
    version: int


class TargetIn(In):
    due_period: str = Field(max_length=100, examples=["2026-12"])
    value: float
    milestone: bool = False
    trajectory: Literal["straight", "seasonal"] = "straight"
    profile: list[float] | None = Field(
        default=None, max_length=12, description="12 monthly weights, January first"
    )


class TargetOut(Contract):
    due_period: str
    value: float
    milestone: bool
    trajectory: str
    profile: list[float] | None


Scope = Literal["city", "area", "deprived", "gap"]
Statistic = Literal["level", "rate", "gap", "sii"]


class MeasureIn(In):
    code: str = Field(max_length=200, examples=["burglary-down"])
    title: str = Field(max_length=1000, examples=["Fewer burglaries"])
    indicator: str = Field(max_length=200, examples=["burglary"])
    scope: Scope = "city"
    area_type: str | None = Field(default=None, max_length=200, description="Default: the finest")
    area_code: str | None = Field(default=None, max_length=200)
    groups: Literal[5, 10] = 5
    statistic: Statistic | None = None
    improvement: Literal["down", "up"] | None = Field(
        default=None, description="Which way is better; default from the indicator's polarity"
    )
    baseline_period: str = Field(max_length=100, examples=["2022-03"])
    baseline_value: float | None = None
    lead_board: str | None = Field(default=None, max_length=200)
    outcome: str | None = Field(default=None, max_length=200)
    frequency: Literal["month", "quarter", "year"] = "quarter"
    targets: list[TargetIn] = Field(default_factory=list, max_length=100)


class MeasurePatch(In):
    title: str | None = Field(default=None, max_length=1000)
    scope: Scope | None = None
    area_type: str | None = Field(default=None, max_length=200)
    area_code: str | None = Field(default=None, max_length=200)
    groups: Literal[5, 10] | None = None
    statistic: Statistic | None = None
    improvement: Literal["down", "up"] | None = None
    baseline_period: str | None = Field(default=None, max_length=100)
    baseline_value: float | None = None
    lead_board: str | None = Field(default=None, max_length=200)
    outcome: str | None = Field(default=None, max_length=200)
    frequency: Literal["month", "quarter", "year"] | None = None
    version: int | None = Field(default=None, ge=1, le=2**31 - 1, description=VERSION)


class MeasureOut(Contract):
    id: int
    code: str
    title: str
    outcome: str | None
    indicator: str
    scope: str
    area_type: str
    area_code: str | None
    groups: int
    statistic: str
    improvement: str
    baseline_period: str
    baseline_value: float | None
    lead_board: str | None
    frequency: str
    version: int
    targets: list[TargetOut]


class FlagOut(Contract):
    id: int
    measure_id: int
    raised_at: datetime
    reason: str


class MeasureRisksOut(Contract):
    """The three risks with their reasons, the trajectory and projection, the
    innovation flag: as :func:`app.framework.risks.assess` gives them."""

    measure: MeasureOut
    risks: dict[str, Any]
    flag: FlagOut | None
    assessed_at: datetime


# --- actions -----------------------------------------------------------------------------

Status = Literal["not_started", "on_track", "at_risk", "off_track", "complete", "cancelled"]


class LinkIn(In):
    measure: str = Field(max_length=200)
    expected: Literal["down", "up"] | None = Field(
        default=None, description="Default: the measure's better way"
    )
    lag_months: int = Field(default=0, ge=0, le=120, description="e.g. 6: within two terms")


class ActionIn(In):
    code: str = Field(max_length=200, examples=["page-hall-joint-patrols"])
    title: str = Field(max_length=1000)
    description: str = Field(default="", max_length=20_000)
    owner: str | None = Field(default=None, max_length=200, description="Default: you")
    lead_agency: str | None = Field(default=None, max_length=200)
    partners: list[str] = Field(default_factory=list, max_length=50)
    starts_on: date | None = None
    ends_on: date | None = None
    status: Status = "not_started"
    percent_complete: int = Field(default=0, ge=0, le=100)
    alert: int | None = Field(default=None, ge=0, le=2**63 - 1, description="The alert it answers")
    selected_from: date | None = Field(
        default=None,
        description=(
            "The areas were chosen on data from this day on (default: the alert's window): "
            "its effect is judged against the time before it"
        ),
    )
    areas: list[str] = Field(default_factory=list, max_length=5000)
    measures: list[LinkIn] = Field(default_factory=list, max_length=100)


class ActionPatch(In):
    title: str | None = Field(default=None, max_length=1000)
    description: str | None = Field(default=None, max_length=20_000)
    lead_agency: str | None = Field(default=None, max_length=200)
    partners: list[str] | None = Field(default=None, max_length=50)
    starts_on: date | None = None
    ends_on: date | None = None
    status: Status | None = None
    percent_complete: int | None = Field(default=None, ge=0, le=100)
    areas: list[str] | None = Field(default=None, max_length=5000)
    selected_from: date | None = None
    version: int | None = Field(default=None, ge=1, le=2**31 - 1, description=VERSION)


class UpdateIn(In):
    cycle: str = Field(max_length=20, examples=["2026-11"], description="The reporting month")
    status: Status | None = None
    progress: int | None = Field(default=None, ge=0, le=100)
    narrative: str = Field(max_length=20_000)
    blockers: str = Field(default="", max_length=20_000)


class UpdateOut(Contract):
    id: int
    action: str | None = None
    action_id: int | None = None
    cycle: str
    author: str
    status: str
    progress: int
    narrative: str
    blockers: str
    created_at: datetime


class LinkOut(Contract):
    measure: str
    expected: str
    lag_months: int
    linked_at: datetime


class AreaOut(Contract):
    id: int
    code: str
    name: str
    type: str


class ActionOut(Contract):
    id: int
    code: str
    title: str
    description: str
    owner_id: int
    owner: str
    owner_name: str
    owner_email: str | None
    lead_agency: str | None
    partners: list[str]
    starts_on: date
    ends_on: date | None
    status: str
    percent_complete: int
    alert_id: int | None
    alert_sentence: str | None
    alert_indicators: list[str] = Field(default_factory=list)
    selected_from: date | None = None
    created_at: datetime
    version: int
    measures: list[LinkOut]
    areas: list[AreaOut]
    updates: list[UpdateOut] = Field(default_factory=list)


class RevisionOut(Contract):
    version: int
    op: str
    actor: str
    at: datetime
    data: dict[str, Any] | None


# --- reports -----------------------------------------------------------------------------


class ReportOut(Contract):
    """A board's report (JSON): what the HTML and PDF show."""

    board: BoardOut
    meeting: MeetingOut | None
    as_of: datetime | None
    generated_at: datetime
    batch_mark: int | None
    run: int | None
    measures: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    source: str
    marking: str
    revisions_since: dict[str, Any] | None
    report: dict[str, Any] | None = None


class IssuedOut(Contract):
    id: int
    issued_at: datetime
    issued_by: str
    batch_mark: int | None
    run_id: int | None
    meets_on: date | None
