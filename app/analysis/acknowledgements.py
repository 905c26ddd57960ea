"""Officers acting on alerts: acknowledging one (with a note) and assigning it to a
signed-in officer, recorded with who and when, and kept as a history.

What is done about an alert follows it: an acknowledgement is of the alert's identity
(kind, area, area type and indicators) in its series of runs (an unbroken series of
finished runs raising it, :func:`app.analysis.repository.continue_series`), so the
alert stays acknowledged when the next run raises it again, while an alert raised anew
after a run that did not raise it is a new alert, not acknowledged.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.access import policy
from app.access.viewer import Role, Viewer
from app.analysis import acknowledgement_repository as repo
from app.analysis import service
from app.analysis.alert_view import handling_event
from app.analysis.repository import AlertFilter
from app.audit import service as audit
from app.errors import InvalidParameterError, NotFoundError


def visible_alert(
    session: Session, viewer: Viewer, alert_id: int, *, note_reads: bool = True
) -> dict[str, Any]:
    """The alert as the viewer sees it, or 404 (also for one they may not see)."""
    found = service.list_alerts(
        session, viewer, AlertFilter(alert_id=alert_id, limit=1), note_reads=note_reads
    )
    if not found["alerts"]:
        raise NotFoundError(f"There is no alert {alert_id}")
    alert: dict[str, Any] = found["alerts"][0]
    return alert


def _identity(session: Session, viewer: Viewer, alert_id: int) -> Any:
    visible_alert(session, viewer, alert_id, note_reads=False)
    row = repo.alert_identity(session, alert_id)
    if row is None:  # pragma: no cover - seen a moment ago in the same transaction
        raise NotFoundError(f"There is no alert {alert_id}")
    return row


def acknowledge(
    session: Session, viewer: Viewer, alert_id: int, note: str | None
) -> dict[str, Any]:
    """Acknowledge the alert (signed-in officers): who, when, and the note."""
    user_id = policy.require_alert_handler(viewer)
    row = _identity(session, viewer, alert_id)
    note = (note or "").strip() or None
    repo.insert(session, "acknowledge", row, user_id, note=note)
    audit.record(
        session, viewer, "alert.acknowledge", area_type=row.area_type,
        indicator=row.indicators[0] if row.indicators else None,
        detail={"alert": alert_id, "run": int(row.run_id), "note": note is not None},
    )  # fmt: skip
    return visible_alert(session, viewer, alert_id)


def assign(session: Session, viewer: Viewer, alert_id: int, user: str) -> dict[str, Any]:
    """Assign the alert to a signed-in officer's account (by user name or id), which must
    exist and be enabled."""
    user_id = policy.require_alert_handler(viewer)
    row = _identity(session, viewer, alert_id)
    assignee = repo.user(session, user)
    if assignee is None or assignee.disabled_at is not None:
        raise InvalidParameterError(f"user: there is no (enabled) account {user.strip()!r}")
    as_assignee = Viewer(
        Role(assignee.role), f"user {assignee.username}", user_id=int(assignee.id),
        agency=assignee.agency,
    )  # fmt: skip
    try:
        visible_alert(session, as_assignee, alert_id, note_reads=False)
    except NotFoundError:
        raise InvalidParameterError(
            f"user: {assignee.username} may not see this alert (one of its indicators is "
            "not theirs to see)"
        ) from None
    repo.insert(session, "assign", row, user_id, assignee_id=int(assignee.id))
    audit.record(
        session, viewer, "alert.assign", area_type=row.area_type,
        indicator=row.indicators[0] if row.indicators else None,
        detail={"alert": alert_id, "run": int(row.run_id), "assignee": str(assignee.username)},
    )  # fmt: skip
    return visible_alert(session, viewer, alert_id)


def history(session: Session, viewer: Viewer, alert_id: int) -> dict[str, Any]:
    """Everything done about the alert's series, oldest first (partners)."""
    policy.require_partner(viewer)
    alert = visible_alert(session, viewer, alert_id, note_reads=False)
    events = []
    for row in repo.history(session, alert_id):
        event = handling_event(row)
        event["action"] = "acknowledged" if row.action == "acknowledge" else "assigned"
        event["alert_id"] = int(row.alert_id)
        event["run_id"] = int(row.run_id)
        events.append(event)
    return {
        "alert": alert_id,
        "first_run_id": alert["first_run_id"],
        "raised_at": alert["raised_at"],
        "events": events,
    }
