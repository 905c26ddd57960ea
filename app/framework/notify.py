"""The framework's notifications: what is due to be said, queued once, then sent.

- **reminders** to action owners before each interested board's deadline for updates
  (within :data:`REMIND_DAYS` of it, while the cycle's update is missing);
- to **boards** (their e-mail list, their members, and their webhook): an update that is
  late (the deadline passed without it), a measure's risk level that changed between its
  last two assessments, an innovation flag raised, a new alert in their areas or
  indicators.

Each message has a ``dedupe_key``: queueing it twice queues it once, so the notifier can
run as often as it likes (``nis framework notify``, after each analysis run). Sending
goes through :mod:`app.notifications.transport` (SMTP; webhooks signed with HMAC-SHA256),
retried, and every try is recorded on the message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.access.viewer import CLI, Role, Viewer
from app.analysis.repository import AlertFilter, to_json
from app.analysis.service import list_alerts
from app.framework import history
from app.framework import outbox_repository as outbox
from app.framework import repository as repo
from app.framework.service import may_see_measure
from app.notifications import transport
from app.notifications.transport import Mail, SmtpConfig

log = logging.getLogger(__name__)
REMIND_DAYS = 7
MAX_ATTEMPTS = 3
# Whom a board's messages are written for: an officer of the partnership as a whole, so
# that nothing an agency keeps to itself (its agency-only indicators) is sent to others.
READER = Viewer(Role.OFFICER, "notifier")


def queue_due(session: Session, today: date | None = None) -> dict[str, int]:
    """Queue every notification now due; returns how many of each event were new."""
    today = today or datetime.now(UTC).date()
    boards = history.as_of(session, "board", None)
    measures = {
        k: m
        for k, m in history.as_of(session, "measure", None).items()
        if may_see_measure(session, READER, m)
    }
    actions = history.as_of(session, "action", None)
    counts: dict[str, int] = {}

    def add(event: str, key: str, board: dict[str, Any] | None, to: list[tuple[str, str]],
            subject: str, body: str, payload: dict[str, Any]) -> None:  # fmt: skip
        for channel, recipient in to:
            made = _enqueue(session, f"{key}:{channel}:{recipient}", event, board, channel,
                            recipient, subject, body, payload)  # fmt: skip
            counts[event] = counts.get(event, 0) + int(made)

    for board in boards.values():
        reported = _reported_actions(board, measures, actions)
        for meeting in board["meetings"]:
            due = date.fromisoformat(meeting["updates_due"])
            meets = date.fromisoformat(meeting["meets_on"])
            cycle = due.strftime("%Y-%m")
            missing = [a for a in reported if not repo.has_update(session, a["id"], cycle)]
            if today <= due <= today + timedelta(days=REMIND_DAYS):
                for a in missing:
                    if not a.get("owner_email"):
                        continue
                    add(
                        "reminder", f"reminder:{meeting['id']}:{a['id']}", board,
                        [("email", a["owner_email"])],
                        f"Update due by {due}: {a['title']}",
                        f"Dear {a['owner_name']},\n\nYour update on \"{a['title']}\" "
                        f"({a['code']}) for {cycle} is due by {due}, for the meeting of "
                        f"{board['name']} on {meets}. Give it once; every board with an "
                        "interest in the action reports the same update.\n",
                        {"meeting": meeting, "action": a["code"], "cycle": cycle},
                    )  # fmt: skip
            if due < today <= meets:
                for a in missing:
                    add(
                        "update_late", f"late:{meeting['id']}:{a['id']}", board,
                        _board_recipients(board),
                        f"Late update: {a['title']}",
                        f"The update on \"{a['title']}\" ({a['code']}, owner "
                        f"{a['owner_name']}) for {cycle} was due by {due} for the meeting "
                        f"of {board['name']} on {meets}, and has not been given.\n",
                        {"meeting": meeting, "action": a["code"], "cycle": cycle},
                    )  # fmt: skip
    _risk_changes(session, boards, measures, add)
    _flags(session, boards, measures, add)
    _new_alerts(session, boards, measures, add)
    return counts


Add = Callable[[str, str, dict[str, Any] | None, list[tuple[str, str]], str, str,
                dict[str, Any]], None]  # fmt: skip


def _risk_changes(
    session: Session, boards: dict[int, Any], measures: dict[int, Any], add: Add
) -> None:
    latest = repo.latest_assessments(session, list(measures), per_measure=2)
    for measure_id, pair in latest.items():
        if len(pair) < 2:
            continue
        now, before = pair
        changed = [
            (name, before[name], now[name])
            for name in ("speed", "future")
            if now[name] != before[name] and now[name] is not None
        ]
        if not changed:
            continue
        m = measures[measure_id]
        said = "; ".join(f"{n} risk {b or 'unassessed'} → {a}" for n, b, a in changed)
        for board in _boards_of_measure(boards, m):
            add("risk_changed", f"risk:{now['id']}:{board['id']}", board,
                _board_recipients(board), f"Risk changed: {m['title']}",
                f"{m['title']} ({m['code']}): {said}.\n\n"
                f"{(now['result'].get('speed') or {}).get('reason', '')}\n"
                f"{(now['result'].get('future') or {}).get('reason', '')}\n",
                {"measure": m["code"], "changes": changed, "assessment": now["id"]})  # fmt: skip


def _flags(session: Session, boards: dict[int, Any], measures: dict[int, Any], add: Add) -> None:
    for measure_id, flag in repo.open_flags(session, list(measures)).items():
        m = measures[measure_id]
        lead = next((b for b in boards.values() if b["code"] == m["lead_board"]), None)
        if lead is None:
            continue
        add("innovation", f"innovation:{flag['id']}", lead, _board_recipients(lead),
            f"Something new is needed: {m['title']}", f"{m['title']} ({m['code']}): "
            f"{flag['reason']}\n\nIt stays on {lead['name']}'s agenda until a new action is "
            "linked to the measure.\n", {"measure": m["code"], "flag": flag["id"]})  # fmt: skip


def _new_alerts(
    session: Session, boards: dict[int, Any], measures: dict[int, Any], add: Add
) -> None:
    run = repo.run_at(session, None)
    if run is None:
        return
    alerts = list_alerts(session, READER, AlertFilter(run_id=run, limit=100_000))["alerts"]
    for board in boards.values():
        indicators = {i["indicator"] for i in board["interests"] if i["kind"] == "indicator"}
        indicators |= {m["indicator"] for m in _boards_measures(board, measures)}
        areas = _area_codes(session, board)
        for a in alerts:
            cluster = set((a.get("stats") or {}).get("areas") or [])
            if not (set(a["indicators"]) & indicators or a.get("area_code") in areas
                    or cluster & areas):  # fmt: skip
                continue
            # The same finding in the next run is not news: keyed by what was found.
            finding = (f"{a['kind']}:{a.get('area_type')}:{a.get('area_code')}:"
                       f"{','.join(sorted(a['indicators']))}:{a.get('period_from')}")  # fmt: skip
            add("alert", f"alert:{board['id']}:{finding}", board, _board_recipients(board),
                "New alert for " + board["name"], f"{a['sentence']}\n\nAlert {a['id']} of "
                f"analysis run {run}.\n", {"alert": a["id"], "run": run,
                                           "sentence": a["sentence"]})  # fmt: skip


def _reported_actions(
    board: dict[str, Any], measures: dict[int, Any], actions: dict[int, Any]
) -> list[dict[str, Any]]:
    """The actions a board's report carries: registered interests, and actions on the
    measures it leads or registered interest in (not those already finished)."""
    codes = {m["code"] for m in _boards_measures(board, measures)}
    wanted = {i["action"] for i in board["interests"] if i["kind"] == "action"}
    return [
        a
        for a in actions.values()
        if (a["code"] in wanted or any(x["measure"] in codes for x in a["measures"]))
        and a["status"] not in ("complete", "cancelled")
    ]


def _boards_measures(board: dict[str, Any], measures: dict[int, Any]) -> list[dict[str, Any]]:
    wanted = {i["measure"] for i in board["interests"] if i["kind"] == "measure"}
    return [m for m in measures.values() if m["lead_board"] == board["code"] or m["code"] in wanted]


def _boards_of_measure(boards: dict[int, Any], m: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        b
        for b in boards.values()
        if m["lead_board"] == b["code"]
        or any(i["kind"] == "measure" and i["measure"] == m["code"] for i in b["interests"])
    ]


def _area_codes(session: Session, board: dict[str, Any]) -> set[str]:
    ids = [int(i["area_id"]) for i in board["interests"] if i["kind"] == "area" and i["area_id"]]
    return repo.area_codes_within(session, ids)


def _board_recipients(board: dict[str, Any]) -> list[tuple[str, str]]:
    """Where a board is told: its list, each member with an address, its webhook."""
    emails = [board["email"]] if board.get("email") else []
    emails += [m["email"] for m in board["members"] if m.get("email")]
    out = [("email", e) for e in dict.fromkeys(emails)]
    if board.get("webhook"):
        out.append(("webhook", board["code"]))
    return out


def _enqueue(
    session: Session,
    key: str,
    event: str,
    board: dict[str, Any] | None,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    payload: dict[str, Any],
) -> bool:
    said = {"event": event, "board": None if board is None else board["code"], **payload}
    return outbox.enqueue(
        session, key, event, None if board is None else int(board["id"]), channel, recipient,
        subject, body, to_json(said),
    )  # fmt: skip


# --- sending -----------------------------------------------------------------------------


def send_pending(
    session: Session,
    smtp: SmtpConfig | None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    backoff: tuple[float, ...] = (1.0, 4.0),
    limit: int = 500,
) -> dict[str, int]:
    """Send what is queued (oldest first), each with retries; record every try. Mail
    waits while no SMTP server is configured."""
    rows = outbox.pending(session, limit)
    done = {"sent": 0, "failed": 0, "waiting": 0}
    for r in rows:
        if r.channel == "email" and smtp is None:
            done["waiting"] += 1
            continue
        if r.channel == "webhook" and not (r.webhook_url and r.webhook_secret):
            _finish(session, r.id, [], "failed", "the board has no webhook (or no secret)")
            done["failed"] += 1
            continue
        attempts = transport.deliver(
            _sender(r, smtp), attempts=MAX_ATTEMPTS, backoff=backoff, sleep=sleep
        )
        ok = bool(attempts) and attempts[-1].ok
        _finish(session, r.id, attempts, "sent" if ok else "failed", None)
        done["sent" if ok else "failed"] += 1
    return done


def _sender(r: Any, smtp: SmtpConfig | None) -> Callable[[], object]:
    """One try at sending the queued message ``r``."""
    if r.channel == "email":
        assert smtp is not None
        mail = Mail(to=(str(r.recipient),), subject=str(r.subject), text=str(r.body),
                    headers={"X-NIS-Event": str(r.event)})  # fmt: skip
        return lambda: transport.send_mail(smtp, mail)
    return lambda: transport.post_webhook(
        str(r.webhook_url), str(r.webhook_secret), dict(r.payload),
        event=str(r.event), delivery_id=f"nis-{r.id}",
    )  # fmt: skip


def _finish(
    session: Session, row_id: int, attempts: list[Any], status: str, error: str | None
) -> None:
    tries = [
        {"number": a.number, "at": a.at.isoformat(), "ok": a.ok, "error": a.error,
         "retryable": a.retryable}
        for a in attempts
    ]  # fmt: skip
    if error:
        tries.append({"number": 0, "at": datetime.now(UTC).isoformat(), "ok": False,
                      "error": error, "retryable": False})  # fmt: skip
    outbox.finish(session, row_id, status, to_json(tries))


def after_analysis(database_url: str, smtp: SmtpConfig | None, run_id: int) -> dict[str, int]:
    """What the analysis worker does after each run: assess every measure on the new
    data (recorded, not for a report), queue what is now due (a risk level that changed,
    a new alert in a board's areas or indicators, reminders, late updates) and send it."""
    from app.db import unit_of_work
    from app.framework.assessments import assess_measures

    with unit_of_work(database_url) as session:
        assess_measures(session, CLI)
        queued = queue_due(session)
    with unit_of_work(database_url) as session:
        sent = send_pending(session, smtp)
    log.info("after analysis run %s: queued %s, sent %s", run_id, queued, sent)
    return {**queued, **{f"{k}_sent": v for k, v in sent.items()}}
