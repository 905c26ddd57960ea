"""The audit trail. Rows are only ever inserted: a trigger refuses UPDATE, DELETE and
TRUNCATE (migration 0010), so not even the application can rewrite what happened."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models import Base


class AuditEvent(Base):
    """One thing that happened: who (actor, role, agency, user, key), from where
    (address), what (action, outcome), through which route (channel: api, map, ogc,
    tile, download, export, page, cli; method and path) and, for reads of restricted
    data, which indicator, area type and period. Never a secret or key material."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_at", "at"),
        Index("ix_audit_event_action_at", "action", "at"),
        Index("ix_audit_event_indicator_at", "indicator", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    action: Mapped[str] = mapped_column(Text)  # e.g. "sign-in", "read", "upload", "key.create"
    outcome: Mapped[str] = mapped_column(Text)  # "ok", "refused", "throttled"
    actor: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    agency: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(BigInteger)  # no foreign key: rows outlive users
    key_id: Mapped[int | None] = mapped_column(BigInteger)
    address: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(Text)
    indicator: Mapped[str | None] = mapped_column(Text)
    area_type: Mapped[str | None] = mapped_column(Text)
    period: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
