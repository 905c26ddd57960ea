"""Batches: one row per upload (or revert, recount, demo load), the history that every
stored value and event points back to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models import Base


class Batch(Base):
    """One upload (or revert, or demo load): who, when, what it changed."""

    __tablename__ = "batch"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(Text)  # observations | events | revert | catalogue
    agency_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("agency.id"))
    key_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("api_key.id"))
    actor: Mapped[str] = mapped_column(Text)  # key prefix, or "cli"
    filename: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(Integer, server_default="0")
    inserted: Mapped[int] = mapped_column(Integer, server_default="0")
    revised: Mapped[int] = mapped_column(Integer, server_default="0")
    unchanged: Mapped[int] = mapped_column(Integer, server_default="0")
    report: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    reverted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reverted_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("batch.id"))
