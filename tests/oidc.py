"""A real OpenID provider for the sign-in tests: npm's certified ``oidc-provider`` run by
the machine's Node.js (``tests/oidc_provider/provider.mjs``) on loopback, not a mock.

:func:`start_oidc_provider` starts one (in well under a second) for given clients and
accounts, on a free port; the session fixture ``oidc_provider`` (tests/conftest.py) is one
with :data:`ACCOUNTS` and :data:`CLIENTS`. :func:`login` signs in at its form with a real
HTTP client, as a person would. Node stops when the provider is closed, and by itself when
the test run that started it ends (it watches its standard input).
"""

from __future__ import annotations

import json
import re
import select
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
PROVIDER_DIR = REPO_ROOT / "tests" / "oidc_provider"
PROVIDER_STAMP = PROVIDER_DIR / "node_modules" / ".nis-installed"  # the Makefile's
# Where NIS's callback is expected; the default clients' redirect URI uses it.
CALLBACK_PATH = "/api/auth/sso/callback"
_READY = re.compile(r"oidc-provider ready: (\S+)")


@dataclass(frozen=True)
class Account:
    """A person at the provider: the form takes ``username`` (the account's id, which is
    also its ``sub``) or ``preferred_username``, and ``password``."""

    password: str
    name: str
    preferred_username: str
    email: str | None = None
    groups: tuple[str, ...] = ()

    def claims(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "password" and v is not None}
        out["groups"] = list(self.groups)
        return out


@dataclass(frozen=True)
class Client:
    """A client registered with the provider. A ``native`` client's loopback redirect URIs
    match on any port (RFC 8252 §7.3, as oidc-provider implements it), which lets a test
    register NIS's callback before its live server has picked a port; a ``web`` client's
    must match exactly."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    token_endpoint_auth_method: str = "client_secret_basic"
    application_type: str = "native"
    extra: Mapping[str, Any] = field(default_factory=dict)  # more oidc-provider metadata

    def metadata(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uris": list(self.redirect_uris),
            "token_endpoint_auth_method": self.token_endpoint_auth_method,
            "application_type": self.application_type,
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            **self.extra,
        }


ACCOUNTS: dict[str, Account] = {
    "olive": Account(
        "olive-pw", "Olive Officer", "olive", "olive@police.example", ("nis-officer:police",)
    ),
    "ana": Account(
        "ana-pw",
        "Ana Analyst",
        "ana",
        "ana@health.example",
        ("staff", "nis-officer:health", "nis-analyst:health"),
    ),
    "adam": Account("adam-pw", "Adam Admin", "adam", "adam@council.example", ("nis-admin",)),
    "pat": Account("pat-pw", "Pat Public", "pat", None, ("staff",)),  # no NIS group
}
CLIENTS: tuple[Client, ...] = (
    Client("nis", "nis-secret", (f"http://127.0.0.1{CALLBACK_PATH}",)),
    Client(
        "nis-post",
        "nis-post-secret",
        (f"http://127.0.0.1{CALLBACK_PATH}",),
        token_endpoint_auth_method="client_secret_post",
    ),
)


class OidcProvider:
    """A running provider: ``issuer``, its ``clients`` and ``accounts``; ``client_id``
    and ``client_secret`` are the first client's."""

    def __init__(
        self,
        clients: Iterable[Client] = CLIENTS,
        accounts: Mapping[str, Account] = ACCOUNTS,
        *,
        id_token_claims: bool = False,
        port: int = 0,
        timeout: float = 20,
    ) -> None:
        self.clients = tuple(clients)
        self.accounts = dict(accounts)
        ensure_installed()
        config = {
            "clients": [c.metadata() for c in self.clients],
            "accounts": {k: {"password": a.password, **a.claims()} for k, a in accounts.items()},
            "id_token_claims": id_token_claims,
        }
        self._config = tempfile.NamedTemporaryFile("w", suffix=".json")  # noqa: SIM115 (closed in stop)
        json.dump(config, self._config)
        self._config.flush()
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            ["node", "provider.mjs", "--config", self._config.name, "--port", str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=PROVIDER_DIR,
        )
        try:
            self.issuer = self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    @property
    def client_id(self) -> str:
        return self.clients[0].client_id

    @property
    def client_secret(self) -> str:
        return self.clients[0].client_secret

    def client(self, client_id: str) -> Client:
        return next(c for c in self.clients if c.client_id == client_id)

    def settings(self, client_id: str | None = None) -> dict[str, str]:
        """``Settings`` fields (``oidc_*``) for NIS as one of the clients (the first)."""
        client = self.client(client_id or self.client_id)
        return {
            "oidc_issuer": self.issuer,
            "oidc_client_id": client.client_id,
            "oidc_client_secret": client.client_secret,
            "oidc_client_auth_method": client.token_endpoint_auth_method,
        }

    def log(self) -> str:
        """What the provider has written to standard error (its warnings and refusals)."""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        self._stderr.close()
        self._config.close()

    def __enter__(self) -> OidcProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _wait_ready(self, timeout: float) -> str:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        line = b""
        while time.monotonic() < deadline and self.process.poll() is None:
            ready, _, _ = select.select([self.process.stdout], [], [], 0.1)
            if ready:
                line = self.process.stdout.readline()
                if match := _READY.search(line.decode()):
                    issuer = match.group(1)
                    _wait_discovery(issuer, deadline)
                    return issuer
        raise RuntimeError(f"the OpenID provider did not start: {line!r}\n{self.log()}")


def start_oidc_provider(
    clients: Iterable[Client] = CLIENTS,
    accounts: Mapping[str, Account] = ACCOUNTS,
    *,
    id_token_claims: bool = False,
    port: int = 0,
) -> OidcProvider:
    """Start a provider (use it as a context manager, or call ``stop``). ``port`` 0: a free
    one. ``id_token_claims``: profile, email and groups in the ID token too (by default they
    come from userinfo alone, as oidc-provider conforms to OpenID Connect Core 5.4)."""
    return OidcProvider(clients, accounts, id_token_claims=id_token_claims, port=port)


def _wait_discovery(issuer: str, deadline: float) -> None:
    url = f"{issuer}/.well-known/openid-configuration"
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the OpenID provider does not answer at {url}")
        time.sleep(0.05)


def ensure_installed() -> None:
    """The provider's npm packages, installed by the Makefile's rule (which ``make test``
    runs before pytest) when missing or older than the lock file: a bare pytest run works
    from a fresh clone too."""
    stamp = PROVIDER_STAMP.relative_to(REPO_ROOT)
    done = subprocess.run(
        ["make", "--no-print-directory", "-s", str(stamp)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"installing the OpenID provider's packages failed:\n{done.stderr}")


class LoginFailedError(AssertionError):
    """The provider did not let the test through its forms."""


def login(client: httpx.Client, authorize_url: str, username: str, password: str) -> str:
    """Sign in at the provider as a person would: follow its redirects, fill in its sign-in
    form (and submit any further form, such as a consent page), and return the URL it
    finally redirects to outside itself (NIS's callback with ``code`` and ``state``, or
    ``error``), without following it. ``client`` keeps the provider's cookies."""
    origin = _origin(authorize_url)
    response = client.get(authorize_url, follow_redirects=False)
    for _ in range(20):
        if response.is_redirect:
            target = urljoin(str(response.url), response.headers["location"])
            if _origin(target) != origin:
                return target
            response = client.get(target, follow_redirects=False)
            continue
        if response.status_code != 200 or "html" not in response.headers.get("content-type", ""):
            raise LoginFailedError(f"the provider answered {response.status_code}: {response.text}")
        form = _first_form(response.text)
        if form is None:
            raise LoginFailedError(f"the provider's page has no form: {response.text}")
        action, fields = form
        if "password" in fields:
            fields.update(username=username, password=password)
        response = client.post(
            urljoin(str(response.url), action), data=fields, follow_redirects=False
        )
    raise LoginFailedError("the provider kept redirecting")


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _first_form(html: str) -> tuple[str, dict[str, str]] | None:
    class Forms(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.form: tuple[str, dict[str, str]] | None = None
            self.done = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found = dict(attrs)
            if tag == "form" and self.form is None:
                self.form = (found.get("action") or "", {})
            elif tag == "input" and self.form is not None and not self.done and found.get("name"):
                self.form[1][str(found["name"])] = found.get("value") or ""

        def handle_endtag(self, tag: str) -> None:
            if tag == "form":
                self.done = True

    parser = Forms()
    parser.feed(html)
    return parser.form
