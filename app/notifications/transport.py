"""How a notification leaves NIS: an e-mail through an SMTP server, or a signed webhook
(a JSON POST), each tried again a few times when the failure may pass.

- :func:`send_mail` sends one :class:`Mail` with :mod:`smtplib` as :class:`SmtpConfig`
  says (:func:`smtp_config_from` reads it from ``NIS_SMTP_*``);
- :func:`post_webhook` posts a JSON payload signed with a shared secret (:func:`sign`),
  which the receiver checks with :func:`verify`;
- :func:`deliver` calls either until it succeeds, fails for good, or runs out of
  attempts, and returns every :class:`Attempt` for the caller to record.

A failed delivery is a :class:`DeliveryError` that says whether trying again may help.
Arguments that could never be sent (a line break in a header, a URL that is not http) are
a :class:`ValueError` instead, raised before anything is sent. Nothing here knows of the
database: the outbox that keeps notifications and their attempts is built on this.

A webhook's signature is ``v1=`` followed by the hex HMAC-SHA256, keyed with the secret, of
``{timestamp}.`` and the body exactly as sent; the timestamp (Unix seconds) travels in
``X-NIS-Timestamp`` and the signature in ``X-NIS-Signature``, and a receiver refuses a
timestamp too far from its own clock, so that a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Literal
from urllib.parse import urlsplit

import httpx2
from pydantic import SecretStr

from app.settings import Settings

SmtpSecurity = Literal["none", "starttls", "tls"]
USER_AGENT = "NIS-webhooks/1"
SIGNATURE_VERSION = "v1"
# Seconds a webhook's timestamp may differ from the receiver's clock.
TOLERANCE_S = 300
# Webhook answers that may succeed when tried again (besides every 5xx).
RETRYABLE_STATUSES = frozenset({408, 429})
# Headers send_mail writes itself, which a Mail's own headers may not replace (nor add Cc or
# Bcc: the envelope's recipients are the mail's ``to``, and no one else).
OWN_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "date",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "content-disposition",
    }
)
# As much of a refusing receiver's answer as an error message quotes.
ANSWER_QUOTED = 200


class DeliveryError(Exception):
    """A notification that was not delivered. ``retryable``: whether the same request may
    succeed later (a server down, busy or timing out; an SMTP 4xx; a webhook's 5xx, 408
    or 429), or never will as it stands (a refused recipient or credentials, a webhook's
    other 4xx, a redirect). ``status``: the SMTP reply code or HTTP status, if any."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status = status


@dataclass(frozen=True)
class SmtpConfig:
    """An SMTP server to send through. ``security``: ``none`` (plain SMTP), ``starttls``
    (plain, then STARTTLS; the usual port 587) or ``tls`` (TLS from the start; port 465);
    with either TLS the server's certificate is checked against the system's authorities,
    or ``ssl_context``'s. ``sender`` is the From address (``nis@example.org`` or
    ``NIS <nis@example.org>``); ``username`` and ``password`` log in (AUTH) when given."""

    host: str
    port: int = 25
    sender: str = "nis@localhost"
    username: str | None = None
    password: SecretStr | None = field(default=None, repr=False)
    security: SmtpSecurity = "none"
    timeout: float = 30.0
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Mail:
    """One e-mail: ``to`` its recipients' addresses (all in To), a plain ``text`` body and,
    optionally, the same as ``html`` (then the mail is multipart/alternative). ``headers``
    adds headers, such as a ``Message-ID`` chosen by the caller (one is made otherwise),
    but may not replace From, To, Subject, Date or the MIME headers."""

    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Attempt:
    """One try at delivering: its ``number`` (from 1), when it began (UTC), and how it
    ended: ``ok``, or the ``error`` and whether it was ``retryable``."""

    number: int
    at: datetime
    ok: bool
    error: str | None = None
    retryable: bool = False


def smtp_config_from(settings: Settings) -> SmtpConfig | None:
    """The SMTP server of ``NIS_SMTP_*``; None when ``NIS_SMTP_HOST`` is unset."""
    if settings.smtp_host is None:
        return None
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_sender,
        username=settings.smtp_username,
        password=settings.smtp_password,
        security=settings.smtp_security,
    )


# --- e-mail -------------------------------------------------------------------------------


def send_mail(config: SmtpConfig, mail: Mail) -> str:
    """Send ``mail`` through ``config``'s server and return its Message-ID (the caller's
    or a new one). :class:`ValueError` for a mail that cannot be written (a line break in
    a header or address, no recipient); :class:`DeliveryError` when the server cannot be
    reached or refuses it. When the server accepts some recipients but refuses others the
    mail has gone to the accepted ones: that is a DeliveryError that is not retryable (a
    retry would send it to them twice)."""
    sender = _envelope_address(config.sender, "sender")
    recipients = [_envelope_address(to, "recipient") for to in mail.to]
    if not recipients:
        raise ValueError("a mail needs at least one recipient")
    message = _message(config.sender, sender, mail)
    message_id = str(message["Message-ID"])
    try:
        refused = _send(config, message, sender, recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise DeliveryError(
            f"the SMTP server refused every recipient: {_refusals(exc.recipients)}",
            retryable=all(_temporary(code) for code in codes),
            status=codes[0] if codes else None,
        ) from exc
    except smtplib.SMTPResponseException as exc:
        # Sender refused, data refused, authentication failed, HELO or connection refused.
        raise DeliveryError(
            f"the SMTP server answered {exc.smtp_code}: {_reply(exc.smtp_error)}",
            retryable=_temporary(exc.smtp_code),
            status=exc.smtp_code,
        ) from exc
    except smtplib.SMTPServerDisconnected as exc:
        raise DeliveryError(
            f"the SMTP server closed the connection: {exc}", retryable=True
        ) from exc
    except smtplib.SMTPException as exc:
        # No STARTTLS, no AUTH, no suitable authentication method: the configuration.
        raise DeliveryError(f"the SMTP server cannot be used: {exc}", retryable=False) from exc
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(
            f"the SMTP server's certificate is not trusted: {exc.verify_message}",
            retryable=False,
        ) from exc
    except OSError as exc:  # refused, unreachable, timed out, TLS broken off
        raise DeliveryError(
            f"the SMTP server {config.host}:{config.port} cannot be reached: {exc.strerror or exc}",
            retryable=True,
        ) from exc
    if refused:
        raise DeliveryError(
            "the SMTP server took the mail for some recipients only; refused: "
            f"{_refusals(refused)}",
            retryable=False,
            status=next(iter(refused.values()))[0],
        )
    return message_id


def _message(from_header: str, sender: str, mail: Mail) -> EmailMessage:
    _one_line(mail.subject, "subject")
    for to in mail.to:
        _one_line(to, "recipient")
    message = EmailMessage()
    message["From"] = from_header
    message["To"] = ", ".join(mail.to)
    message["Subject"] = mail.subject
    message["Date"] = formatdate(usegmt=True)
    message_id = None
    for name, value in mail.headers.items():
        if not name or not all(33 <= ord(c) <= 126 and c != ":" for c in name):
            raise ValueError(f"{name!r} is not a header name")
        _one_line(value, f"header {name}")
        if name.lower() in OWN_HEADERS:
            raise ValueError(f"a mail's headers may not set {name}")
        if name.lower() == "message-id":
            message_id = value
            continue
        message[name] = value
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = message_id or make_msgid(domain=domain)
    message.set_content(mail.text)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    return message


def _send(
    config: SmtpConfig, message: EmailMessage, sender: str, recipients: list[str]
) -> dict[str, tuple[int, bytes]]:
    """The recipients refused, when the server took the mail for the others."""
    context = None
    if config.security != "none":
        context = config.ssl_context or ssl.create_default_context()
    smtp: smtplib.SMTP
    if config.security == "tls":
        smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
    else:
        smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    try:
        if config.security == "starttls":
            smtp.starttls(context=context)  # SMTPNotSupportedError when the server cannot
        if config.username is not None:
            password = config.password.get_secret_value() if config.password else ""
            smtp.login(config.username, password)
        refused = smtp.send_message(message, from_addr=sender, to_addrs=recipients)
    except BaseException:
        smtp.close()
        raise
    # Sent: a failure to say goodbye is no failure to deliver (nor a reason to send again).
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
    return refused


def _envelope_address(address: str, what: str) -> str:
    """``Name <a@b>`` or ``a@b`` as the bare ``a@b`` the SMTP envelope takes."""
    _one_line(address, what)
    _, bare = parseaddr(address)
    if "@" not in bare:
        raise ValueError(f"{what} {address!r} is not an e-mail address")
    try:
        Address(addr_spec=bare)
    except (ValueError, IndexError) as exc:
        raise ValueError(f"{what} {address!r} is not an e-mail address") from exc
    return bare


def _one_line(value: str, what: str) -> None:
    if "\r" in value or "\n" in value or "\0" in value:
        raise ValueError(f"the {what} may not hold a line break")


def _temporary(code: int) -> bool:
    return 400 <= code < 500


def _reply(reply: bytes | str) -> str:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())[:ANSWER_QUOTED]


def _refusals(refused: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{to} ({code} {_reply(reply)})" for to, (code, reply) in refused.items())


# --- webhooks -----------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature of a webhook's ``body`` sent at ``timestamp`` (Unix seconds):
    ``v1=`` and the hex HMAC-SHA256 of ``{timestamp}.`` + body, keyed with ``secret``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={mac.hexdigest()}"


def verify(
    secret: str,
    timestamp: int,
    body: bytes,
    signature: str,
    *,
    now: float,
    tolerance: float = TOLERANCE_S,
) -> bool:
    """Whether ``signature`` is :func:`sign`'s for this body and timestamp, and the
    timestamp is within ``tolerance`` seconds of ``now`` (Unix seconds), either way. The
    signatures are compared in constant time."""
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).encode()
    return hmac.compare_digest(expected, signature.encode(errors="replace"))


def webhook_body(payload: Mapping[str, object]) -> bytes:
    """A payload as a webhook sends it: JSON with sorted keys and no spaces (ASCII)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def post_webhook(
    url: str,
    secret: str,
    payload: Mapping[str, object],
    *,
    event: str,
    delivery_id: str,
    timeout: float = 10.0,
    now: float | None = None,
) -> int:
    """POST ``payload`` as signed JSON to ``url`` and return the status of a 2xx answer.
    Redirects are not followed (a 3xx is a failure). :class:`ValueError` for a URL that is
    not http(s), a header value with a line break, or a payload that is not JSON;
    :class:`DeliveryError` for any other answer, a timeout or no connection. ``now``: the
    Unix time to sign with (the clock's by default)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"a webhook URL must be http or https: {url!r}")
    _one_line(event, "event")
    _one_line(delivery_id, "delivery id")
    body = webhook_body(payload)
    timestamp = int(time.time() if now is None else now)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-NIS-Event": event,
        "X-NIS-Delivery": delivery_id,
        "X-NIS-Timestamp": str(timestamp),
        "X-NIS-Signature": sign(secret, timestamp, body),
    }
    where = f"{parts.scheme}://{parts.netloc}{parts.path}"  # no query: it may hold a token
    try:
        with (
            httpx2.Client(timeout=timeout, follow_redirects=False) as client,
            client.stream("POST", url, content=body, headers=headers) as response,
        ):
            status = response.status_code
            if 200 <= status < 300:
                return status
            answer = _start_of(response)
    except httpx2.TimeoutException as exc:
        raise DeliveryError(f"the webhook {where} timed out", retryable=True) from exc
    except httpx2.HTTPError as exc:
        raise DeliveryError(
            f"the webhook {where} cannot be reached: {exc}", retryable=True
        ) from exc
    retryable = status >= 500 or status in RETRYABLE_STATUSES
    said = f": {answer}" if answer else ""
    raise DeliveryError(
        f"the webhook {where} answered {status}{said}", retryable=retryable, status=status
    )


def _start_of(response: httpx2.Response) -> str:
    """The start of an answer's body, for the error message (never read whole)."""
    start = b""
    try:
        for chunk in response.iter_bytes():
            start += chunk
            if len(start) >= ANSWER_QUOTED:
                break
    except httpx2.HTTPError:
        pass
    return " ".join(start[:ANSWER_QUOTED].decode(errors="replace").split())


# --- retries ------------------------------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(UTC)


def deliver(
    send: Callable[[], object],
    *,
    attempts: int = 3,
    backoff: Sequence[float] = (1.0, 4.0),
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], datetime] = _utc_now,
) -> list[Attempt]:
    """Call ``send`` until it returns, raises a :class:`DeliveryError` that is not
    retryable, or has been called ``attempts`` times, sleeping ``backoff[i]`` seconds
    after the i-th failure (its last value again when it is shorter). Returns every
    attempt; the last says how it ended. Any other exception from ``send`` (a mistake,
    not a failed delivery) propagates."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    done: list[Attempt] = []
    for number in range(1, attempts + 1):
        at = clock()
        try:
            send()
        except DeliveryError as exc:
            done.append(Attempt(number, at, ok=False, error=exc.message, retryable=exc.retryable))
            if not exc.retryable or number == attempts:
                break
            if backoff:
                sleep(backoff[min(number - 1, len(backoff) - 1)])
        else:
            done.append(Attempt(number, at, ok=True))
            break
    return done
