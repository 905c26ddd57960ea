"""Notifications reach people: the owners' reminders before a board's deadline arrive at a
real SMTP server (aiosmtpd, on loopback), and a board's signed webhook at a real HTTP
receiver, retried after a failure, each try recorded; nothing is sent twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from app.access.viewer import CLI
from app.db import unit_of_work
from app.framework import notify, service
from app.notifications.transport import verify
from tests.conftest import AnalysisWorkers, ThrowawayDatabases, clone_database
from tests.smtp import SmtpServer, start_smtp_server
from tests.webhooks import WebhookReceiver, start_webhook_receiver

SECRET = "a webhook secret of the board's"


@pytest.fixture(scope="module")
def db(demo_template: str, databases: ThrowawayDatabases) -> str:
    return clone_database(demo_template, "nis_test_notify", databases)


@pytest.fixture(scope="module")
def mail() -> Iterator[SmtpServer]:
    with start_smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def hooks() -> Iterator[WebhookReceiver]:
    with start_webhook_receiver() as receiver:
        yield receiver


def _next_deadline(db: str) -> date:
    with unit_of_work(db) as session:
        due = session.execute(
            text("SELECT min(updates_due) FROM board_meeting WHERE updates_due >= current_date")
        ).scalar_one()
    return due


def test_an_owner_is_reminded_by_email_before_the_deadline(db: str, mail: SmtpServer) -> None:
    due = _next_deadline(db)
    today = due - timedelta(days=3)
    with unit_of_work(db) as session:
        queued = notify.queue_due(session, today)
        sent = notify.send_pending(session, mail.config(), sleep=lambda s: None)
    assert queued["reminder"] >= 3
    assert sent["failed"] == 0
    got = mail.wait_for(lambda r: "sam.patel@example.org" in r.rcpt_tos)
    message = got.message
    assert message["Subject"].startswith(f"Update due by {due}")
    assert message["To"] == "sam.patel@example.org"
    body = message.get_body(("plain",)).get_content()
    assert "Successful Neighbourhoods Partnership" in body or "Partnership" in body
    assert f"for {due.strftime('%Y-%m')} is due by {due}" in body
    with unit_of_work(db) as session:
        rows = session.execute(
            text("SELECT status, attempts FROM notification WHERE event = 'reminder'")
        ).all()
    assert rows
    assert all(r.status == "sent" and r.attempts[-1]["ok"] for r in rows)


def test_queueing_again_sends_nothing_twice(db: str, mail: SmtpServer) -> None:
    today = _next_deadline(db) - timedelta(days=3)
    before = len(mail.received)
    with unit_of_work(db) as session:
        queued = notify.queue_due(session, today)
        sent = notify.send_pending(session, mail.config(), sleep=lambda s: None)
    assert queued.get("reminder", 0) == 0
    assert sent["sent"] == 0
    assert len(mail.received) == before


def test_a_late_update_is_told_to_the_boards_webhook_signed_and_retried(
    db: str, hooks: WebhookReceiver, mail: SmtpServer
) -> None:
    with unit_of_work(db) as session:
        service.update_board(
            session,
            CLI,
            "health-wellbeing",
            {"webhook_url": hooks.url + "/nis", "webhook_secret": SECRET},
        )
    due = _next_deadline(db)
    hooks.answer(500)  # the receiver fails once
    with unit_of_work(db) as session:
        queued = notify.queue_due(session, due + timedelta(days=1))
        sent = notify.send_pending(session, mail.config(), sleep=lambda s: None)
    assert queued["update_late"] >= 1
    assert sent["failed"] == 0
    posts = [r for r in hooks.requests if r.path == "/nis"]
    late = [r for r in posts if r.headers["x-nis-event"] == "update_late"]
    assert len(late) >= 2  # a 500, then delivered
    first, retry = late[0], late[1]
    assert first.headers["x-nis-delivery"] == retry.headers["x-nis-delivery"]
    stamp = int(retry.headers["x-nis-timestamp"])
    now = datetime.now(UTC).timestamp()
    assert verify(SECRET, stamp, retry.body, retry.headers["x-nis-signature"], now=now)
    assert not verify(
        "another secret entirely", stamp, retry.body, retry.headers["x-nis-signature"], now=now
    )
    payload = json.loads(retry.body)
    assert payload["event"] == "update_late"
    assert payload["board"] == "health-wellbeing"
    with unit_of_work(db) as session:
        tries = session.execute(
            text(
                "SELECT attempts FROM notification WHERE channel = 'webhook' AND "
                "event = 'update_late' AND status = 'sent' ORDER BY id LIMIT 1"
            )
        ).scalar_one()
    assert [t["ok"] for t in tries] == [False, True]


def test_mail_waits_while_no_smtp_server_is_set(db: str) -> None:
    with unit_of_work(db) as session:
        service.update_board(session, CLI, "executive", {"email": "exec-waits@example.org"})
        session.execute(
            text(
                "INSERT INTO notification (dedupe_key, event, channel, recipient, subject, "
                "body, payload) VALUES ('test:waits', 'reminder', 'email', 'x@example.org', "
                "'s', 'b', '{}')"
            )
        )
        sent = notify.send_pending(session, None)
        status = session.execute(
            text("SELECT status FROM notification WHERE dedupe_key = 'test:waits'")
        ).scalar_one()
    assert sent["waiting"] >= 1
    assert status == "pending"


def test_the_analysis_worker_assesses_and_notifies_after_each_run(
    demo_template: str, databases: ThrowawayDatabases, mail: SmtpServer
) -> None:
    """``nis worker`` (as ``nis serve`` starts it), after the run an upload asks for: the
    measures are assessed on the new data and what is due is e-mailed."""
    db = clone_database(demo_template, "nis_test_notify_worker", databases)
    with unit_of_work(db) as session:
        before = session.execute(text("SELECT count(*) FROM measure_assessment")).scalar_one()
        session.execute(text("INSERT INTO analysis_request (actor) VALUES ('test')"))
    with AnalysisWorkers(db, smtp_host=mail.host, smtp_port=str(mail.port)) as workers:
        workers.wait_idle()
        got = mail.wait_for(lambda r: "jo.wright@example.org" in r.rcpt_tos, timeout=120)
    assert got.message["Subject"].startswith("Update due by")
    with unit_of_work(db) as session:
        after = session.execute(text("SELECT count(*) FROM measure_assessment")).scalar_one()
        sent = session.execute(
            text("SELECT count(*) FROM notification WHERE status = 'sent'")
        ).scalar_one()
    assert after > before
    assert sent > 0
