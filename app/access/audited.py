"""What the policy has audited: reads of restricted data; and who may read the trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.access import policy
from app.access.policy import Disclosed
from app.access.viewer import Viewer
from app.audit import repository as audit_repo
from app.audit import service as audit


def note_read(
    session: Session,
    viewer: Viewer,
    indicator: Disclosed,
    code: str,
    area_type: str | None = None,
    period: str | None = None,
) -> None:
    """Record the viewer's read of ``indicator``'s values when it is of restricted data
    (:func:`app.access.policy.is_restricted_read`), once per request for each indicator,
    area type and period, in the request's transaction (it is there when the response
    is)."""
    if not policy.is_restricted_read(viewer, indicator):
        return
    context = audit.context_of(session)
    key = (code, area_type, period)
    if key in context.noted:
        return
    context.noted.add(key)
    audit.record(
        session, viewer, "read", indicator=code, area_type=area_type, period=period,
        detail={"visibility": str(indicator.visibility)},
    )  # fmt: skip


def read_trail(session: Session, viewer: Viewer, f: audit_repo.AuditFilter) -> dict[str, Any]:
    """The audit trail, newest first (administrators)."""
    policy.require_admin(viewer)
    return {
        "total": audit_repo.count(session, f),
        "events": [dict(r._mapping) for r in audit_repo.events(session, f)],
    }
