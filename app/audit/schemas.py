"""Response models of the audit routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.contracts import Contract


class AuditEventOut(Contract):
    id: int
    at: datetime
    action: str
    outcome: str
    actor: str
    role: str
    agency: str | None
    user_id: int | None
    key_id: int | None
    address: str | None
    channel: str | None
    method: str | None
    path: str | None
    indicator: str | None
    area_type: str | None
    period: str | None
    detail: dict[str, Any]


class AuditPage(Contract):
    total: int
    events: list[AuditEventOut]
