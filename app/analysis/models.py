"""Analysis runs and the alerts they raise.

A run records what it was asked (parameters), what it saw (per indicator: periods,
areas, values and the newest batch) and what it found (a summary, and one alert per
finding), so that every alert can be traced back to its evidence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models import Base


class AnalysisRun(Base):
    __tablename__ = "analysis_run"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    trigger: Mapped[str] = mapped_column(Text)  # upload | cli | api
    batch_id: Mapped[int | None] = mapped_column(BigInteger)  # the upload that asked
    actor: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)  # running | done | failed
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    summary: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Alert(Base):
    """One finding of a run: an area (or the city, for gaps) and the indicators behind it,
    at the area type whose analysis found it (each type is a family of tests of its own;
    a gap is found at the finest type)."""

    __tablename__ = "alert"
    __table_args__ = (
        Index("ix_alert_run_id_kind", "run_id", "kind"),
        Index("ix_alert_run_id_area_type", "run_id", "area_type"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("analysis_run.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(Text)  # deterioration | correlated | hotspot | gap
    area_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("area.id", ondelete="CASCADE"), index=True
    )
    area_type: Mapped[str | None] = mapped_column(
        Text, ForeignKey("area_type.code", ondelete="CASCADE")
    )
    indicators: Mapped[list[str]] = mapped_column(ARRAY(Text))
    agencies: Mapped[list[str]] = mapped_column(ARRAY(Text))
    period_from: Mapped[str | None] = mapped_column(Text)
    period_to: Mapped[str | None] = mapped_column(Text)
    q: Mapped[float | None] = mapped_column(Double)
    sentence: Mapped[str] = mapped_column(Text)
    stats: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    # The statistics behind the sentence, each a short plain string ("Getis-Ord Gi* z = 6.5").
    details: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The run that first raised this alert (the same kind, area, type and indicators) in
    # an unbroken series of finished runs up to this one, and when: its own run for a new one.
    first_run_id: Mapped[int] = mapped_column(BigInteger)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AlertAcknowledgement(Base):
    """What an officer did about an alert: acknowledged it (with a note) or assigned it to
    someone. Rows are never changed (a trigger refuses it): the latest of each action is
    the alert's state, the rows its history. A row holds the alert's identity (kind,
    area, type, indicators) and the first run of its series, so that it follows the alert
    into later runs that raise it again."""

    __tablename__ = "alert_acknowledgement"
    __table_args__ = (
        CheckConstraint("action IN ('acknowledge', 'assign')", name="action"),
        CheckConstraint("action <> 'assign' OR assignee_id IS NOT NULL", name="assignee"),
        Index("ix_alert_acknowledgement_series", "first_run_id", "kind"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    action: Mapped[str] = mapped_column(Text)  # acknowledge | assign
    alert_id: Mapped[int] = mapped_column(BigInteger)  # the alert acted on (runs may be deleted)
    run_id: Mapped[int] = mapped_column(BigInteger)
    first_run_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(Text)
    area_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("area.id", ondelete="CASCADE")
    )
    area_type: Mapped[str | None] = mapped_column(Text)
    indicators: Mapped[list[str]] = mapped_column(ARRAY(Text))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("app_user.id"))
    assignee_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("app_user.id"))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AnalysisRequest(Base):
    """A change to the data that asks for an analysis run (the queue the workers serve).

    The upload that changed the data inserts its request in its own transaction, so a
    rolled-back upload asks for nothing. A worker claims every pending request at once
    (one run serves them all) and closes them with the run that served them; ``attempts``
    counts the runs that took them, so that a run that keeps crashing is reported
    rather than retried forever.
    """

    __tablename__ = "analysis_request"
    __table_args__ = (
        Index("ix_analysis_request_pending", "id", postgresql_where=text("done_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(BigInteger)  # the change that asked
    actor: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    run_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("analysis_run.id", ondelete="SET NULL")
    )
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
