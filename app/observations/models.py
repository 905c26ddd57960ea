"""Observations keep every revision: a new value supersedes the current one, never
overwrites it, so a batch can be traced and reverted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models import Base

STORABLE_VALUES = (
    "abs(coalesce(value, 0)) <= 1e15 AND abs(coalesce(numerator, 0)) <= 1e15 "
    "AND abs(coalesce(denominator, 0)) <= 1e15"
)


class Observation(Base):
    """A revision of the value of one indicator for one area and period."""

    __tablename__ = "observation"
    __table_args__ = (
        Index(
            "uq_observation_current",
            "indicator_code",
            "area_id",
            "period",
            unique=True,
            postgresql_where=text("superseded_at IS NULL"),
        ),
        # Batches arrive in id order, so a BRIN index finds a batch's rows (for reverts)
        # at almost no cost to bulk loads, unlike a B-tree.
        Index("ix_observation_batch_id", "batch_id", postgresql_using="brin"),
        Index("ix_observation_area_id", "area_id"),
        # Lets deletions check the self-reference without scanning the table.
        Index(
            "ix_observation_replaces_id",
            "replaces_id",
            postgresql_where=text("replaces_id IS NOT NULL"),
        ),
        # No value a sum could overflow on (uploads refuse them first, with the row;
        # MAX_STORABLE_VALUE in app.indicators.indicator). Migration 0008.
        CheckConstraint(STORABLE_VALUES, name="storable_values"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # The area and indicator are checked by statement-level triggers, which also cascade
    # their deletion (migration 0005): per-row foreign-key triggers were almost half the
    # cost of a bulk insert.
    indicator_code: Mapped[str] = mapped_column(Text)
    area_id: Mapped[int] = mapped_column(BigInteger)
    period: Mapped[str] = mapped_column(Text)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # exclusive
    value: Mapped[float | None] = mapped_column(Double)
    numerator: Mapped[float | None] = mapped_column(Double)
    denominator: Mapped[float | None] = mapped_column(Double)
    # No foreign key on the batch: values are only written by the upload that creates
    # their batch, in its transaction, and batches that own rows are never deleted; a
    # per-row check would slow every bulk load for no added safety.
    batch_id: Mapped[int] = mapped_column(BigInteger)
    replaces_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("observation.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    superseded_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("batch.id"))


class CountCoverage(Base):
    """Which counts a batch made: indicator, area type and vintage, period.

    Event counts store only the areas where something happened. Coverage says the rest of
    the areas counted zero, so readers can tell a true zero from a count never made.
    Coverage of a reverted batch no longer counts.
    """

    __tablename__ = "count_coverage"
    __table_args__ = (Index("ix_count_coverage_indicator", "indicator_code", "type_code"),)

    batch_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("batch.id"), primary_key=True)
    indicator_code: Mapped[str] = mapped_column(
        Text, ForeignKey("indicator.code", ondelete="CASCADE"), primary_key=True
    )
    type_code: Mapped[str] = mapped_column(Text, primary_key=True)
    vintage: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(Text, primary_key=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
