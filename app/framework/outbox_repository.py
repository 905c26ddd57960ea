"""SQL of the notifications' outbox (:mod:`app.framework.notify` decides what to say):
a message queued once by its key, the pending ones taken by one sender at a time, and
each try recorded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session


def enqueue(
    session: Session,
    key: str,
    event: str,
    board_id: int | None,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    payload_json: str,
) -> bool:
    """Queue the message unless its key is queued already; whether it was new."""
    made = session.execute(
        text(
            """
            INSERT INTO notification (dedupe_key, event, board_id, channel, recipient,
                                      subject, body, payload)
            VALUES (:key, :event, :board, :channel, :recipient, :subject, :body,
                    CAST(:payload AS jsonb))
            ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
            """
        ),
        {"key": key, "event": event, "board": board_id, "channel": channel,
         "recipient": recipient, "subject": subject, "body": body, "payload": payload_json},
    ).first()  # fmt: skip
    return made is not None


def pending(session: Session, limit: int) -> Sequence[Row[Any]]:
    """The oldest pending messages with their board's webhook, locked for this sender
    (another skips them)."""
    return session.execute(
        text(
            "SELECT n.id, n.channel, n.recipient, n.subject, n.body, n.payload, n.event, "
            "b.webhook_url, b.webhook_secret FROM notification n "
            "LEFT JOIN board b ON b.id = n.board_id WHERE n.status = 'pending' "
            "ORDER BY n.id LIMIT :limit FOR UPDATE OF n SKIP LOCKED"
        ),
        {"limit": limit},
    ).all()


def finish(session: Session, row_id: int, status: str, tries_json: str) -> None:
    session.execute(
        text(
            "UPDATE notification SET status = :s, attempts = attempts || CAST(:a AS jsonb), "
            "sent_at = CASE WHEN :s = 'sent' THEN now() END WHERE id = :id"
        ),
        {"s": status, "a": tries_json, "id": row_id},
    )
