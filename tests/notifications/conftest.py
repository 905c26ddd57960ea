"""Real servers for the notification tests, on loopback and without a database: an SMTP
server (tests/smtp.py) and a webhook receiver (tests/webhooks.py), started once a run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.smtp import SmtpServer, start_smtp_server
from tests.webhooks import WebhookReceiver, start_webhook_receiver


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server (no TLS, no AUTH) that keeps what it receives."""
    with start_smtp_server() as server:
        yield server


@pytest.fixture(scope="session")
def smtp_tls_server() -> Iterator[SmtpServer]:
    """An SMTP server that wants STARTTLS, then AUTH as nis / nis-mail-pw."""
    with start_smtp_server(starttls=True, accounts={"nis": "nis-mail-pw"}) as server:
        yield server


@pytest.fixture(scope="session")
def webhook_server() -> Iterator[WebhookReceiver]:
    with start_webhook_receiver() as receiver:
        yield receiver


@pytest.fixture
def webhook_receiver(webhook_server: WebhookReceiver) -> WebhookReceiver:
    """The session's receiver, with no requests yet and nothing queued."""
    webhook_server.reset()
    return webhook_server
