"""The performance framework's tables: outcomes and measures with targets, actions with
their owners and updates, delivery boards with members and interests, and what the
framework computed and sent (assessments, innovation flags, reports, notifications).

Every editable row carries a ``version``; each change to it is kept whole in
``framework_revision`` with who made it and when (:mod:`app.framework.history`). Action
updates are immutable: a trigger refuses to change one (migration 0018).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

# The tables these refer to by foreign key, on the one metadata, so that the ORM can
# order its writes (the rest of the service writes those tables in SQL).
from app.access import models as _access  # noqa: F401
from app.analysis import models as _analysis  # noqa: F401
from app.areas import models as _areas  # noqa: F401
from app.models import Base

BOARD_KINDS = ("strategic", "executive", "thematic", "task_and_finish")
SCOPES = ("city", "area", "deprived", "gap")
STATISTICS = ("level", "rate", "gap", "sii")
FREQUENCIES = ("month", "quarter", "year")
ACTION_STATUSES = ("not_started", "on_track", "at_risk", "off_track", "complete", "cancelled")
INTEREST_KINDS = ("action", "measure", "indicator", "area")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Versioned:
    """Columns every editable framework row has: its version and last change."""

    version: Mapped[int] = mapped_column(Integer, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[str] = mapped_column(Text)


class Board(Versioned, Base):
    """A delivery board: the strategic board, an executive board, a thematic partnership
    or a task-and-finish group (whose members may come from several boards)."""

    __tablename__ = "board"
    __table_args__ = (CheckConstraint(_in("kind", BOARD_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    code: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("board.id", ondelete="SET NULL")
    )
    email: Mapped[str | None] = mapped_column(Text)  # its secretariat's list, if any
    webhook_url: Mapped[str | None] = mapped_column(Text)
    webhook_secret: Mapped[str | None] = mapped_column(Text)


class BoardMember(Base):
    __tablename__ = "board_member"

    board_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("board.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(Text, server_default="member")  # chair | member
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Meeting(Base):
    """A board's meeting: the report is for it, and owners' updates are due before it."""

    __tablename__ = "board_meeting"
    __table_args__ = (
        UniqueConstraint("board_id", "meets_on"),
        CheckConstraint("updates_due <= meets_on", name="due_before"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    board_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("board.id", ondelete="CASCADE"))
    meets_on: Mapped[date] = mapped_column(Date)
    updates_due: Mapped[date] = mapped_column(Date)


class Outcome(Versioned, Base):
    """An outcome in the tree under the city's ambitions (an ambition has no parent)."""

    __tablename__ = "outcome"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    code: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("outcome.id", ondelete="RESTRICT")
    )


class Measure(Versioned, Base):
    """How an outcome is measured: an indicator of the catalogue, in a scope (the city,
    one area, the most deprived group, or the gap between that group and the rest), as
    a statistic, from a baseline, led by a board, reported at a frequency."""

    __tablename__ = "measure"
    __table_args__ = (
        CheckConstraint(_in("scope", SCOPES), name="scope"),
        CheckConstraint(_in("statistic", STATISTICS), name="statistic"),
        CheckConstraint(_in("frequency", FREQUENCIES), name="frequency"),
        CheckConstraint("improvement IN ('down', 'up')", name="improvement"),
        CheckConstraint("scope <> 'area' OR area_code IS NOT NULL", name="area_scope"),
        CheckConstraint("groups IN (5, 10)", name="groups"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    code: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str] = mapped_column(Text)
    outcome_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("outcome.id", ondelete="SET NULL")
    )
    indicator_code: Mapped[str] = mapped_column(Text)  # the catalogue's (checked when set)
    scope: Mapped[str] = mapped_column(Text)
    area_type: Mapped[str] = mapped_column(Text)
    area_code: Mapped[str | None] = mapped_column(Text)
    groups: Mapped[int] = mapped_column(Integer, server_default="5")
    statistic: Mapped[str] = mapped_column(Text)
    improvement: Mapped[str] = mapped_column(Text)  # the direction that is better
    baseline_period: Mapped[str] = mapped_column(Text)
    baseline_value: Mapped[float | None] = mapped_column(Double)
    lead_board_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("board.id", ondelete="SET NULL")
    )
    frequency: Mapped[str] = mapped_column(Text)


class Target(Versioned, Base):
    """A measure's target (``milestone`` false) or milestone, due in a period, and the
    trajectory to it from the baseline: straight, or profiled by season (12 weights)."""

    __tablename__ = "target"
    __table_args__ = (
        UniqueConstraint("measure_id", "due_period"),
        CheckConstraint("trajectory IN ('straight', 'seasonal')", name="trajectory"),
        CheckConstraint("trajectory <> 'seasonal' OR profile IS NOT NULL", name="profile"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("measure.id", ondelete="CASCADE")
    )
    due_period: Mapped[str] = mapped_column(Text)
    value: Mapped[float] = mapped_column(Double)
    milestone: Mapped[bool] = mapped_column(Boolean, server_default="false")
    trajectory: Mapped[str] = mapped_column(Text, server_default="straight")
    profile: Mapped[list[float] | None] = mapped_column(ARRAY(Double))


class Action(Versioned, Base):
    """Something partners do to move measures: its owner (a signed-in user), lead
    agency and partners, dates, status and progress; opened from an alert, perhaps."""

    __tablename__ = "action"
    __table_args__ = (
        CheckConstraint(_in("status", ACTION_STATUSES), name="status"),
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    code: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, server_default="")
    owner_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("app_user.id"))
    lead_agency_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("agency.id"))
    partners: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(Text, server_default="not_started")
    percent_complete: Mapped[int] = mapped_column(Integer, server_default="0")
    alert_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("alert.id", ondelete="SET NULL")
    )
    alert_sentence: Mapped[str | None] = mapped_column(Text)  # kept: runs are pruned
    # The alert's indicators: its sentence is shown only to who may see all of them.
    alert_indicators: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    # The areas were chosen on data from this day (an alert's window, or a hot spot an
    # officer picked): the effect's "before" ends here, so that an area picked because it
    # had just been high is not read as improved when it regresses to its mean.
    selected_from: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ActionMeasure(Base):
    """A measure an action is meant to move, the way it should move, and how long after
    the action starts the change should show (e.g. absence down within two terms)."""

    __tablename__ = "action_measure"
    __table_args__ = (
        CheckConstraint("expected IN ('down', 'up')", name="expected"),
        CheckConstraint("lag_months BETWEEN 0 AND 120", name="lag"),
    )

    action_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("action.id", ondelete="CASCADE"), primary_key=True
    )
    measure_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True
    )
    expected: Mapped[str] = mapped_column(Text)
    lag_months: Mapped[int] = mapped_column(Integer, server_default="0")
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ActionArea(Base):
    """An area an action works in (any type: its small areas are the treated ones)."""

    __tablename__ = "action_area"

    action_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("action.id", ondelete="CASCADE"), primary_key=True
    )
    area_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True
    )


class ActionUpdate(Base):
    """The owner's one update of an action for a reporting cycle. Immutable: every
    board with an interest reports this same row."""

    __tablename__ = "action_update"
    __table_args__ = (
        UniqueConstraint("action_id", "cycle"),
        CheckConstraint(_in("status", ACTION_STATUSES), name="status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    action_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("action.id", ondelete="CASCADE"), index=True
    )
    cycle: Mapped[str] = mapped_column(Text)  # the reporting month, YYYY-MM
    author_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("app_user.id"))
    author: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    progress: Mapped[int] = mapped_column(Integer)
    narrative: Mapped[str] = mapped_column(Text)
    blockers: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Interest(Base):
    """A board's registered interest in an action, a measure, an indicator or an area."""

    __tablename__ = "board_interest"
    __table_args__ = (
        CheckConstraint(_in("kind", INTEREST_KINDS), name="kind"),
        CheckConstraint(
            "num_nonnulls(action_id, measure_id, indicator_code, area_id) = 1", name="one_subject"
        ),
        # One interest per board and subject (NULLS NOT DISTINCT: the other subjects' nulls).
        UniqueConstraint(
            "board_id",
            "action_id",
            "measure_id",
            "indicator_code",
            "area_id",
            name="uq_board_interest_subject",
            postgresql_nulls_not_distinct=True,
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    board_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("board.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(Text)
    action_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("action.id", ondelete="CASCADE")
    )
    measure_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("measure.id", ondelete="CASCADE")
    )
    indicator_code: Mapped[str | None] = mapped_column(Text)
    area_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("area.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(Text)


class Revision(Base):
    """One change to a framework row, kept whole: what it became (None when deleted),
    its version, who changed it and when."""

    __tablename__ = "framework_revision"
    __table_args__ = (Index("ix_framework_revision_entity", "entity", "entity_id", "version"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    entity: Mapped[str] = mapped_column(Text)
    entity_id: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(Text)  # create | update | delete
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    actor: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Assessment(Base):
    """A measure's three risks as computed at one time, from the data as it stood then
    (the newest batch and analysis run it saw): what a report showed, and what the
    innovation flag and the notifications compare with."""

    __tablename__ = "measure_assessment"
    __table_args__ = (Index("ix_measure_assessment_measure_id_at", "measure_id", "assessed_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("measure.id", ondelete="CASCADE")
    )
    assessed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    batch_mark: Mapped[int | None] = mapped_column(BigInteger)
    run_id: Mapped[int | None] = mapped_column(BigInteger)
    speed: Mapped[str | None] = mapped_column(Text)  # low | medium | high
    future: Mapped[str | None] = mapped_column(Text)  # green | amber | red
    effective: Mapped[bool | None] = mapped_column(Boolean)  # None: nothing to judge
    # Made for an issued report: the innovation flag compares consecutive reports.
    reported: Mapped[bool] = mapped_column(Boolean, server_default="false")
    result: Mapped[dict[str, Any]] = mapped_column(JSONB)


class InnovationFlag(Base):
    """ "Something new is needed": raised on a measure whose actions are all in place
    while its outcome does not improve; cleared when a new action is linked."""

    __tablename__ = "innovation_flag"
    __table_args__ = (
        Index(
            "uq_innovation_flag_open",
            "measure_id",
            unique=True,
            postgresql_where=text("cleared_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("measure.id", ondelete="CASCADE")
    )
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    reason: Mapped[str] = mapped_column(Text)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cleared_by_action_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("action.id", ondelete="SET NULL")
    )


class Report(Base):
    """A board's report as issued: when, by whom, the newest batch and analysis run it
    saw, and what it showed (the assessments and updates it reported, by id)."""

    __tablename__ = "board_report"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    board_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("board.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("board_meeting.id", ondelete="SET NULL")
    )
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    issued_by: Mapped[str] = mapped_column(Text)
    batch_mark: Mapped[int | None] = mapped_column(BigInteger)
    run_id: Mapped[int | None] = mapped_column(BigInteger)
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)


class Notification(Base):
    """A message to send (an e-mail to one address, or a board's webhook), sent at most
    once per ``dedupe_key``; each try is recorded in ``attempts``."""

    __tablename__ = "notification"
    __table_args__ = (
        CheckConstraint("channel IN ('email', 'webhook')", name="channel"),
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
        Index("ix_notification_pending", "id", postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(Text, unique=True)
    event: Mapped[str] = mapped_column(Text)  # reminder | risk_changed | update_late | ...
    board_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("board.id", ondelete="CASCADE")
    )
    channel: Mapped[str] = mapped_column(Text)
    recipient: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(Text, server_default="pending")
    attempts: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
