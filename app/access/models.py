"""Agencies own indicators; keys let an agency (or an administrator) write."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.models import Base


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)  # short identifier, e.g. "police"
    title: Mapped[str | None] = mapped_column(Text)  # e.g. "South Yorkshire Police"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ApiKey(Base):
    """A key is shown once; only its SHA-256 is kept (keys are long random secrets)."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("agency.id", ondelete="CASCADE")
    )
    prefix: Mapped[str] = mapped_column(Text, unique=True)  # shown in listings
    key_hash: Mapped[str] = mapped_column(Text, unique=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, server_default="false")
    label: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
