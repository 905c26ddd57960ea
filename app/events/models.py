"""Raw point events (crimes, fires, casualties), kept so that counts can be rebuilt
for a new boundary vintage. Partners-only: never served without a key."""

from __future__ import annotations

from datetime import date

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models import Base


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (
        Index(
            "ix_event_current",
            "agency_id",
            "month",
            postgresql_where=text("superseded_by IS NULL"),
        ),
        # BRIN: batches arrive in id order; cheap to keep up during bulk loads.
        Index("ix_event_batch_id", "batch_id", postgresql_using="brin"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # No foreign key on the batch (nor on the agency it names): events are only written
    # by the upload that creates their batch, in its transaction, and batches that own
    # rows are never deleted; a per-row check would cost a tenth of every upload.
    batch_id: Mapped[int] = mapped_column(BigInteger)
    agency_id: Mapped[int] = mapped_column(BigInteger)
    row: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(Text)
    month: Mapped[date] = mapped_column(Date)
    geom: Mapped[object | None] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=False), nullable=True
    )
    source_id: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    reported_area: Mapped[str | None] = mapped_column(Text)
    # A later upload for the same agency and month replaces these events; they are kept.
    superseded_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("batch.id"))
