"""A real SMTP server for the notification tests: aiosmtpd's, in a thread on loopback, not
a mock.

:func:`start_smtp_server` starts one on a free port; it keeps every mail it accepts (the
envelope and the parsed message), which a test waits for with :meth:`SmtpServer.wait_for`,
and refuses the recipients a test tells it to (:meth:`SmtpServer.refuse`). With
``starttls`` it wants STARTTLS, with ``tls`` TLS from the start (SMTPS), either with a
certificate for 127.0.0.1 from a throwaway authority (:attr:`SmtpServer.client_context`
trusts it); with ``accounts`` it wants AUTH (over TLS) with one of those names and
passwords. The session fixture
``smtp_server`` (tests/notifications/conftest.py) is a plain one.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from app.notifications.transport import SmtpConfig

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """A mail the server accepted: the envelope's sender and recipients, and the message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage  # line ends as LF
    data: bytes  # as it came, after DATA


class _Handler:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refusals: dict[str, str] = {}
        self.changed = threading.Condition()

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        with self.changed:
            reply = self.refusals.get(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 (aiosmtpd's name)
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        data = bytes(envelope.original_content or envelope.content)
        # Lines end in CRLF on the wire; parsed as a mailbox would keep them, in LF.
        message = email.message_from_bytes(
            data.replace(b"\r\n", b"\n"), policy=email.policy.default
        )
        assert isinstance(message, EmailMessage)
        with self.changed:
            self.received.append(
                Received(str(envelope.mail_from), tuple(envelope.rcpt_tos), message, data)
            )
            self.changed.notify_all()
        return "250 Message accepted for delivery"


class SmtpServer:
    """A running SMTP server on ``host``:``port``; ``received`` lists what it accepted."""

    def __init__(
        self,
        *,
        starttls: bool = False,
        tls: bool = False,
        accounts: Mapping[str, str] | None = None,
    ) -> None:
        self.host = HOST
        self.port = free_port()
        self.accounts = dict(accounts or {})
        self.client_context: ssl.SSLContext | None = None
        self._handler = _Handler()
        self.security = "tls" if tls else "starttls" if starttls else "none"
        options: dict[str, Any] = {}
        if starttls or tls:
            server_context, self.client_context = loopback_tls()
            if tls:
                options.update(ssl_context=server_context)
            else:
                options.update(tls_context=server_context, require_starttls=True)
        if accounts is not None:
            options.update(authenticator=self._authenticate, auth_required=True)
        self._controller = Controller(
            self._handler, hostname=self.host, port=self.port, ready_timeout=10, **options
        )
        self._controller.start()

    @property
    def received(self) -> list[Received]:
        with self._handler.changed:
            return list(self._handler.received)

    def config(self, **overrides: Any) -> SmtpConfig:
        """An :class:`SmtpConfig` for this server (with its TLS, trusting its
        certificate, and its first account)."""
        fields: dict[str, Any] = {"host": self.host, "port": self.port, "timeout": 5.0}
        if self.client_context is not None:
            fields.update(security=self.security, ssl_context=self.client_context)
        if self.accounts:
            username, password = next(iter(self.accounts.items()))
            fields.update(username=username, password=SecretStr(password))
        return SmtpConfig(**{**fields, **overrides})

    def refuse(self, address: str, reply: str = "550 5.1.1 No such mailbox") -> None:
        """Answer RCPT TO for ``address`` with ``reply`` from now on."""
        with self._handler.changed:
            self._handler.refusals[address.lower()] = reply

    def wait_for(self, match: Callable[[Received], bool], timeout: float = 5.0) -> Received:
        """The first mail received (or still to come within ``timeout``) that matches."""
        deadline = time.monotonic() + timeout
        with self._handler.changed:
            while True:
                for received in self._handler.received:
                    if match(received):
                        return received
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching mail within {timeout} s")
                self._handler.changed.wait(left)

    def wait_for_id(self, message_id: str, timeout: float = 5.0) -> Received:
        """The mail whose Message-ID is ``message_id``."""
        return self.wait_for(lambda r: r.message["Message-ID"] == message_id, timeout)

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            name = auth_data.login.decode()
            if name in self.accounts and self.accounts[name] == auth_data.password.decode():
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


def start_smtp_server(
    *, starttls: bool = False, tls: bool = False, accounts: Mapping[str, str] | None = None
) -> SmtpServer:
    """Start a server on a free loopback port (use it as a context manager, or call
    ``stop``): plain, with STARTTLS, or with ``tls`` from the first byte."""
    return SmtpServer(starttls=starttls, tls=tls, accounts=accounts)


def free_port() -> int:
    """A loopback port nothing listens on (aiosmtpd's Controller needs one named)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def loopback_tls() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a certificate for 127.0.0.1 from a new authority, and a
    client context that trusts that authority alone (and checks the host name)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "NIS test authority")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with tempfile.TemporaryDirectory() as tmp:
        cert_path, key_path = Path(tmp, "cert.pem"), Path(tmp, "key.pem")
        cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cadata=ca.public_bytes(serialization.Encoding.PEM).decode())
    return server, client
