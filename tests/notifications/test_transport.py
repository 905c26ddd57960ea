"""The notifications' transport against real servers on loopback: mail through aiosmtpd's
SMTP server (tests/smtp.py), webhooks to a standard-library HTTP receiver
(tests/webhooks.py), and the retries around both. No database."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from app.notifications.transport import (
    Attempt,
    DeliveryError,
    Mail,
    SmtpConfig,
    deliver,
    post_webhook,
    send_mail,
    sign,
    smtp_config_from,
    verify,
    webhook_body,
)
from app.settings import Settings
from tests.smtp import SmtpServer, free_port, start_smtp_server
from tests.webhooks import WebhookReceiver

SECRET = "whsec-3c1f0d"
SENDER = "NIS <nis@city.example>"


def unique(name: str) -> str:
    """An address no other test sends to (the SMTP server is shared by the session)."""
    return f"{name}-{uuid.uuid4().hex[:8]}@partner.example"


def mail(*to: str, **fields: object) -> Mail:
    values: dict[str, object] = {"subject": "Alert", "text": "Something changed."}
    return Mail(to=to, **{**values, **fields})  # type: ignore[arg-type]


# --- e-mail -------------------------------------------------------------------------------


def test_a_mail_arrives_with_subject_recipients_and_both_parts(smtp_server: SmtpServer) -> None:
    ana, ben = unique("ana"), unique("ben")
    message_id = send_mail(
        smtp_server.config(sender=SENDER),
        Mail(
            to=(f"Ana Analyst <{ana}>", ben),
            subject="Burglary in Hanley – above expected",
            text="Burglary in Hanley is above what was expected.\n",
            html="<p>Burglary in <b>Hanley</b> is above what was expected.</p>\n",
            headers={"X-NIS-Notification": "n-17"},
        ),
    )

    received = smtp_server.wait_for_id(message_id)
    assert received.mail_from == "nis@city.example"
    assert received.rcpt_tos == (ana, ben)
    message = received.message
    assert message["Subject"] == "Burglary in Hanley – above expected"
    assert message["From"] == SENDER
    assert [a.addr_spec for a in message["To"].addresses] == [ana, ben]
    assert message["To"].addresses[0].display_name == "Ana Analyst"
    assert message["Date"] is not None
    assert message["X-NIS-Notification"] == "n-17"
    assert message_id.startswith("<")
    assert message_id.endswith("@city.example>")
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert text.get_content() == "Burglary in Hanley is above what was expected.\n"
    assert html.get_content_type() == "text/html"
    assert "<b>Hanley</b>" in html.get_content()


def test_a_text_mail_is_one_part_and_keeps_the_callers_message_id(
    smtp_server: SmtpServer,
) -> None:
    chosen = f"<{uuid.uuid4()}@nis.city.example>"
    sent = send_mail(
        smtp_server.config(), mail(unique("cat"), headers={"Message-ID": chosen}, html=None)
    )

    assert sent == chosen
    message = smtp_server.wait_for_id(chosen).message
    assert message.get_content_type() == "text/plain"
    assert message.get_content() == "Something changed.\n"


@pytest.mark.parametrize(
    ("to", "fields"),
    [
        ("ok@partner.example", {"subject": "Alert\r\nBcc: victim@elsewhere.example"}),
        ("ok@partner.example", {"subject": "Alert\nX-Injected: yes"}),
        ("ok@partner.example\r\nBcc: victim@elsewhere.example", {}),
        ("ok@partner.example", {"headers": {"X-Ref": "1\r\nBcc: victim@elsewhere.example"}}),
    ],
)
def test_a_line_break_in_a_header_is_refused(
    smtp_server: SmtpServer, to: str, fields: dict[str, object]
) -> None:
    before = len(smtp_server.received)
    with pytest.raises(ValueError, match="line break"):
        send_mail(smtp_server.config(), mail(to, **fields))
    time.sleep(0.1)
    assert len(smtp_server.received) == before


@pytest.mark.parametrize(
    "headers", [{"From": "boss@city.example"}, {"bcc": "x@elsewhere.example"}, {"Bad Name": "1"}]
)
def test_headers_the_mail_writes_itself_or_malformed_are_refused(
    smtp_server: SmtpServer, headers: dict[str, str]
) -> None:
    with pytest.raises(ValueError, match="header"):
        send_mail(smtp_server.config(), mail(unique("dan"), headers=headers))


@pytest.mark.parametrize("to", ["not an address", "", "<>"])
def test_a_recipient_that_is_no_address_is_refused(smtp_server: SmtpServer, to: str) -> None:
    with pytest.raises(ValueError, match="not an e-mail address"):
        send_mail(smtp_server.config(), mail(to))


def test_a_mail_without_recipients_is_refused(smtp_server: SmtpServer) -> None:
    with pytest.raises(ValueError, match="recipient"):
        send_mail(smtp_server.config(), mail())


def test_a_refused_recipient_is_not_retryable(smtp_server: SmtpServer) -> None:
    nobody = unique("nobody")
    smtp_server.refuse(nobody)

    with pytest.raises(DeliveryError) as caught:
        send_mail(smtp_server.config(), mail(nobody))

    assert caught.value.retryable is False
    assert caught.value.status == 550
    assert nobody in caught.value.message
    assert "No such mailbox" in caught.value.message


def test_a_temporarily_refused_recipient_is_retryable(smtp_server: SmtpServer) -> None:
    busy = unique("busy")
    smtp_server.refuse(busy, "450 4.2.1 Mailbox busy, try later")

    with pytest.raises(DeliveryError) as caught:
        send_mail(smtp_server.config(), mail(busy))

    assert caught.value.retryable is True
    assert caught.value.status == 450


def test_a_mail_some_recipients_refuse_has_gone_to_the_others_and_is_not_retried(
    smtp_server: SmtpServer,
) -> None:
    good, gone = unique("good"), unique("gone")
    smtp_server.refuse(gone)
    chosen = f"<{uuid.uuid4()}@nis.city.example>"

    with pytest.raises(DeliveryError) as caught:
        send_mail(smtp_server.config(), mail(good, gone, headers={"Message-ID": chosen}))

    assert caught.value.retryable is False
    assert gone in caught.value.message
    assert smtp_server.wait_for_id(chosen).rcpt_tos == (good,)


def test_an_unreachable_smtp_server_is_retryable() -> None:
    config = SmtpConfig(host="127.0.0.1", port=free_port(), timeout=2)

    with pytest.raises(DeliveryError) as caught:
        send_mail(config, mail("someone@partner.example"))

    assert caught.value.retryable is True
    assert f"127.0.0.1:{config.port}" in caught.value.message


def test_starttls_and_login(smtp_tls_server: SmtpServer) -> None:
    message_id = send_mail(smtp_tls_server.config(), mail(unique("eve")))

    assert smtp_tls_server.wait_for_id(message_id).message["Subject"] == "Alert"


def test_tls_from_the_start() -> None:
    with start_smtp_server(tls=True) as server:
        config = server.config()
        assert config.security == "tls"
        message_id = send_mail(config, mail(unique("ida")))

        assert server.wait_for_id(message_id).rcpt_tos[0].startswith("ida-")


def test_a_wrong_password_is_not_retryable(smtp_tls_server: SmtpServer) -> None:
    config = smtp_tls_server.config(password=SecretStr("wrong"))

    with pytest.raises(DeliveryError) as caught:
        send_mail(config, mail(unique("fay")))

    assert caught.value.retryable is False
    assert caught.value.status == 535


def test_a_server_that_wants_tls_refuses_a_plain_login_for_good(
    smtp_tls_server: SmtpServer,
) -> None:
    # Before STARTTLS the server offers no AUTH: smtplib will not send the password.
    config = smtp_tls_server.config(security="none")

    with pytest.raises(DeliveryError) as caught:
        send_mail(config, mail(unique("gus")))

    assert caught.value.retryable is False


def test_an_untrusted_certificate_is_not_retryable(smtp_tls_server: SmtpServer) -> None:
    config = smtp_tls_server.config(ssl_context=None)  # the system's authorities

    with pytest.raises(DeliveryError) as caught:
        send_mail(config, mail(unique("hal")))

    assert caught.value.retryable is False
    assert "certificate" in caught.value.message


def test_the_smtp_configuration_comes_from_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert smtp_config_from(Settings(smtp_host=None)) is None

    monkeypatch.setenv("NIS_SMTP_HOST", "mail.city.example")
    monkeypatch.setenv("NIS_SMTP_PORT", "587")
    monkeypatch.setenv("NIS_SMTP_SENDER", "NIS <nis@city.example>")
    monkeypatch.setenv("NIS_SMTP_USERNAME", "nis")
    monkeypatch.setenv("NIS_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("NIS_SMTP_SECURITY", "starttls")
    config = smtp_config_from(Settings())

    assert config is not None
    assert (config.host, config.port, config.sender) == (
        "mail.city.example",
        587,
        "NIS <nis@city.example>",
    )
    assert config.username == "nis"
    assert config.password is not None
    assert config.password.get_secret_value() == "s3cret"
    assert config.security == "starttls"
    assert "s3cret" not in repr(config)


# --- webhooks -----------------------------------------------------------------------------


def post(receiver: WebhookReceiver, **options: object) -> int:
    payload = {"type": "alert", "indicator": "burglary", "area": "E01014100", "z": 2.7}
    return post_webhook(
        f"{receiver.url}/hooks/nis?token=abc",
        SECRET,
        payload,
        event="indicator.alert",
        delivery_id="d-41",
        **options,  # type: ignore[arg-type]
    )


def test_a_webhook_arrives_signed_and_the_receiver_verifies_it(
    webhook_receiver: WebhookReceiver,
) -> None:
    status = post(webhook_receiver)

    assert status == 204
    (request,) = webhook_receiver.requests
    assert (request.method, request.path) == ("POST", "/hooks/nis?token=abc")
    headers = request.headers
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "NIS-webhooks/1"
    assert headers["x-nis-event"] == "indicator.alert"
    assert headers["x-nis-delivery"] == "d-41"
    assert request.body == b'{"area":"E01014100","indicator":"burglary","type":"alert","z":2.7}'
    timestamp = int(headers["x-nis-timestamp"])
    assert abs(time.time() - timestamp) < 60
    assert headers["x-nis-signature"].startswith("v1=")
    assert verify(SECRET, timestamp, request.body, headers["x-nis-signature"], now=time.time())
    signature = headers["x-nis-signature"]
    assert not verify("other-secret", timestamp, request.body, signature, now=time.time())


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"a":1}'
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()

    assert sign("k", 1_700_000_000, body) == f"v1={expected}"


def test_a_tampered_body_fails_verification(webhook_receiver: WebhookReceiver) -> None:
    post(webhook_receiver)
    (request,) = webhook_receiver.requests
    timestamp = int(request.headers["x-nis-timestamp"])
    signature = request.headers["x-nis-signature"]
    tampered = request.body.replace(b"2.7", b"0.1")
    assert tampered != request.body
    # One hex digit changed (to another: the last one may already be a 0).
    forged = signature[:-1] + ("1" if signature.endswith("0") else "0")

    assert not verify(SECRET, timestamp, tampered, signature, now=time.time())
    assert not verify(SECRET, timestamp + 1, request.body, signature, now=time.time())
    assert not verify(SECRET, timestamp, request.body, forged, now=time.time())
    assert not verify(SECRET, timestamp, request.body, "v1=ünicode", now=time.time())


def test_a_stale_timestamp_fails_verification(webhook_receiver: WebhookReceiver) -> None:
    an_hour_ago = time.time() - 3600
    post(webhook_receiver, now=an_hour_ago)
    (request,) = webhook_receiver.requests
    timestamp = int(request.headers["x-nis-timestamp"])
    signature = request.headers["x-nis-signature"]

    assert timestamp == int(an_hour_ago)
    assert not verify(SECRET, timestamp, request.body, signature, now=time.time())
    assert verify(SECRET, timestamp, request.body, signature, now=an_hour_ago + 299)
    assert not verify(SECRET, timestamp, request.body, signature, now=an_hour_ago - 301)
    assert verify(SECRET, timestamp, request.body, signature, now=time.time(), tolerance=3700)


@pytest.mark.parametrize("status", [500, 503, 408, 429])
def test_a_server_error_or_busy_answer_is_retryable(
    webhook_receiver: WebhookReceiver, status: int
) -> None:
    webhook_receiver.answer(status)

    with pytest.raises(DeliveryError) as caught:
        post(webhook_receiver)

    assert caught.value.retryable is True
    assert caught.value.status == status
    assert f"answered {status}" in caught.value.message
    assert "token=abc" not in caught.value.message  # a query may hold a secret


@pytest.mark.parametrize("status", [400, 401, 404, 410])
def test_a_client_error_is_not_retryable(webhook_receiver: WebhookReceiver, status: int) -> None:
    webhook_receiver.answer(status)

    with pytest.raises(DeliveryError) as caught:
        post(webhook_receiver)

    assert caught.value.retryable is False
    assert caught.value.status == status


def test_a_redirect_is_not_followed(webhook_receiver: WebhookReceiver) -> None:
    webhook_receiver.answer(307)

    with pytest.raises(DeliveryError) as caught:
        post(webhook_receiver)

    assert caught.value.retryable is False
    assert caught.value.status == 307
    assert [r.path for r in webhook_receiver.requests] == ["/hooks/nis?token=abc"]


def test_a_timeout_is_retryable(webhook_receiver: WebhookReceiver) -> None:
    webhook_receiver.delay = 1.0

    started = time.monotonic()
    with pytest.raises(DeliveryError, match="timed out") as caught:
        post(webhook_receiver, timeout=0.2)

    assert caught.value.retryable is True
    assert time.monotonic() - started < 0.9


def test_a_receiver_that_is_not_listening_is_retryable() -> None:
    url = f"http://127.0.0.1:{free_port()}/hook"

    with pytest.raises(DeliveryError, match="cannot be reached") as caught:
        post_webhook(url, SECRET, {}, event="e", delivery_id="d", timeout=2)

    assert caught.value.retryable is True


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/hook",
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
        "127.0.0.1:8000/hook",
        "http:///no-host",
    ],
)
def test_only_http_and_https_urls_are_posted_to(
    webhook_receiver: WebhookReceiver, url: str
) -> None:
    with pytest.raises(ValueError, match="http or https"):
        post_webhook(url, SECRET, {}, event="e", delivery_id="d")
    assert webhook_receiver.requests == []


def test_a_line_break_in_the_event_is_refused(webhook_receiver: WebhookReceiver) -> None:
    with pytest.raises(ValueError, match="line break"):
        post_webhook(webhook_receiver.url, SECRET, {}, event="e\r\nX: y", delivery_id="d")
    assert webhook_receiver.requests == []


# --- retries ------------------------------------------------------------------------------


def test_deliver_retries_after_two_server_errors_and_succeeds_on_the_third(
    webhook_receiver: WebhookReceiver,
) -> None:
    webhook_receiver.answer(500, 500)
    slept: list[float] = []

    attempts = deliver(lambda: post(webhook_receiver), sleep=slept.append)

    assert [(a.number, a.ok, a.retryable) for a in attempts] == [
        (1, False, True),
        (2, False, True),
        (3, True, False),
    ]
    assert attempts[0].error is not None
    assert "answered 500" in attempts[0].error
    assert attempts[2].error is None
    assert all(a.at.tzinfo is not None and a.at.utcoffset() == timedelta(0) for a in attempts)
    assert attempts[0].at <= attempts[1].at <= attempts[2].at
    assert slept == [1.0, 4.0]
    requests = webhook_receiver.requests
    assert len(requests) == 3
    assert {r.headers["x-nis-delivery"] for r in requests} == {"d-41"}


def test_deliver_stops_at_a_client_error(webhook_receiver: WebhookReceiver) -> None:
    webhook_receiver.answer(400)

    attempts = deliver(lambda: post(webhook_receiver), sleep=lambda s: None)

    assert len(attempts) == 1
    assert (attempts[0].ok, attempts[0].retryable) == (False, False)
    assert len(webhook_receiver.requests) == 1


def test_deliver_gives_up_after_its_attempts(webhook_receiver: WebhookReceiver) -> None:
    webhook_receiver.default_status = 503
    slept: list[float] = []
    moments = iter(datetime(2025, 5, 1, 9, 0, s, tzinfo=UTC) for s in range(10))

    attempts = deliver(
        lambda: post(webhook_receiver),
        attempts=4,
        backoff=(0.5,),
        sleep=slept.append,
        clock=lambda: next(moments),
    )

    assert [a.ok for a in attempts] == [False] * 4
    assert attempts[-1].retryable is True  # the caller may try again later
    assert [a.at.second for a in attempts] == [0, 1, 2, 3]
    assert slept == [0.5, 0.5, 0.5]  # the last backoff again, and none after the last
    assert len(webhook_receiver.requests) == 4


def test_deliver_records_mail_attempts_too(smtp_server: SmtpServer) -> None:
    config = SmtpConfig(host="127.0.0.1", port=free_port(), timeout=2)

    attempts = deliver(lambda: send_mail(config, mail("x@partner.example")), sleep=lambda s: None)

    assert [(a.ok, a.retryable) for a in attempts] == [(False, True)] * 3

    good = smtp_server.config()
    (attempt,) = deliver(lambda: send_mail(good, mail(unique("ivy"))), sleep=lambda s: None)
    assert attempt == Attempt(1, attempt.at, ok=True)


def test_deliver_lets_mistakes_through() -> None:
    def broken() -> None:
        raise ValueError("a bug, not a failed delivery")

    with pytest.raises(ValueError, match="a bug"):
        deliver(broken, sleep=lambda s: None)
    with pytest.raises(ValueError, match="at least 1"):
        deliver(lambda: None, attempts=0)


def test_the_body_is_compact_sorted_ascii_json() -> None:
    body = webhook_body({"b": [1, {"d": None, "c": "é"}], "a": True})

    assert body == b'{"a":true,"b":[1,{"c":"\\u00e9","d":null}]}'
    with pytest.raises(ValueError, match="JSON"):
        webhook_body({"z": float("nan")})
