"""Officers' sign-in against a real OpenID provider (oidc-provider on loopback): the code
flow with PKCE from begin() through the provider's own sign-in form to finish()."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from app import problem_details
from app.access.oidc import Identity, OidcConfig, PendingSignIn, begin, finish
from app.errors import AuthenticationError, IdentityProviderUnavailableError
from app.settings import Settings
from tests.oidc import CALLBACK_PATH, OidcProvider, login, start_oidc_provider

# The default clients are native ones: their loopback redirect URIs match on any port.
CALLBACK = f"http://127.0.0.1:8765{CALLBACK_PATH}"


def config_for(provider: OidcProvider, client_id: str | None = None) -> OidcConfig:
    config = OidcConfig.from_settings(Settings(**provider.settings(client_id)))
    assert config is not None
    return config


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def person() -> Iterator[httpx.Client]:
    """A browser of one's own: the provider's cookies for one test only."""
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def claims_in_id_token() -> Iterator[OidcProvider]:
    """A provider that puts the profile and groups claims in the ID token as well."""
    with start_oidc_provider(id_token_claims=True) as provider:
        yield provider


def sign_in(
    config: OidcConfig, person: httpx.Client, username: str, password: str
) -> tuple[PendingSignIn, dict[str, str]]:
    url, pending = begin(config, CALLBACK)
    return pending, query(login(person, url, username, password))


def identity_of(
    provider: OidcProvider, person: httpx.Client, username: str, client_id: str | None = None
) -> Identity:
    """The whole sign-in of one of the provider's accounts."""
    config = config_for(provider, client_id)
    pending, answer = sign_in(config, person, username, provider.accounts[username].password)
    return finish(config, pending, answer)


def test_sign_in_gives_the_identity_with_its_groups(
    oidc_provider: OidcProvider, person: httpx.Client
) -> None:
    assert identity_of(oidc_provider, person, "olive") == Identity(
        issuer=oidc_provider.issuer,
        subject="olive",
        username="olive",
        display_name="Olive Officer",
        email="olive@police.example",
        groups=("nis-officer:police",),
    )


def test_claims_in_the_id_token_give_the_same_identity(
    claims_in_id_token: OidcProvider, person: httpx.Client
) -> None:
    identity = identity_of(claims_in_id_token, person, "ana")
    assert (identity.username, identity.display_name, identity.email) == (
        "ana",
        "Ana Analyst",
        "ana@health.example",
    )
    assert identity.groups == ("staff", "nis-officer:health", "nis-analyst:health")


def test_client_secret_post_clients_sign_in(
    oidc_provider: OidcProvider, person: httpx.Client
) -> None:
    assert oidc_provider.client("nis-post").token_endpoint_auth_method == "client_secret_post"
    assert identity_of(oidc_provider, person, "adam", "nis-post").groups == ("nis-admin",)


def test_a_person_without_email_is_known_by_username(
    oidc_provider: OidcProvider, person: httpx.Client
) -> None:
    identity = identity_of(oidc_provider, person, "pat")
    assert (identity.username, identity.email, identity.groups) == ("pat", None, ("staff",))


def test_the_authorization_request_carries_state_nonce_and_an_s256_challenge(
    oidc_provider: OidcProvider,
) -> None:
    url, pending = begin(config_for(oidc_provider), CALLBACK)
    asked = query(url)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(pending.code_verifier.encode()).digest())
    assert asked["code_challenge_method"] == "S256"
    assert asked["code_challenge"] == challenge.rstrip(b"=").decode()
    assert (asked["state"], asked["nonce"]) == (pending.state, pending.nonce)
    assert (asked["response_type"], asked["redirect_uri"]) == ("code", CALLBACK)
    assert pending.code_verifier not in url


def test_a_kept_attempt_survives_json(oidc_provider: OidcProvider, person: httpx.Client) -> None:
    config = config_for(oidc_provider)
    pending, answer = sign_in(config, person, "olive", "olive-pw")
    kept = PendingSignIn.from_dict(json.loads(json.dumps(pending.to_dict())))
    assert kept == pending
    assert finish(config, kept, answer).subject == "olive"


def test_a_tampered_state_is_refused(oidc_provider: OidcProvider, person: httpx.Client) -> None:
    config = config_for(oidc_provider)
    pending, answer = sign_in(config, person, "olive", "olive-pw")
    with pytest.raises(AuthenticationError, match="state"):
        finish(config, pending, {**answer, "state": answer["state"][:-1] + "x"})
    with pytest.raises(AuthenticationError, match="state"):
        finish(config, pending, {k: v for k, v in answer.items() if k != "state"})


def test_a_reused_code_is_refused(oidc_provider: OidcProvider, person: httpx.Client) -> None:
    config = config_for(oidc_provider)
    pending, answer = sign_in(config, person, "olive", "olive-pw")
    finish(config, pending, answer)
    with pytest.raises(AuthenticationError) as refused:
        finish(config, pending, answer)
    assert "invalid_grant" in refused.value.message
    assert answer["code"] not in refused.value.message


def test_another_attempts_verifier_is_refused(
    oidc_provider: OidcProvider, person: httpx.Client
) -> None:
    config = config_for(oidc_provider)
    pending, answer = sign_in(config, person, "olive", "olive-pw")
    _, other = begin(config, CALLBACK)
    with pytest.raises(AuthenticationError, match="invalid_grant"):
        finish(config, replace(pending, code_verifier=other.code_verifier), answer)


def test_an_id_token_for_another_nonce_is_refused(
    oidc_provider: OidcProvider, person: httpx.Client
) -> None:
    config = config_for(oidc_provider)
    pending, answer = sign_in(config, person, "olive", "olive-pw")
    with pytest.raises(AuthenticationError, match="nonce"):
        finish(config, replace(pending, nonce="another-attempts-nonce"), answer)


def test_an_answer_naming_another_issuer_is_refused(
    oidc_provider: OidcProvider, person: httpx.Client
) -> None:
    config = config_for(oidc_provider)
    pending, answer = sign_in(config, person, "olive", "olive-pw")
    assert answer["iss"] == oidc_provider.issuer  # RFC 9207
    with pytest.raises(AuthenticationError, match="configured provider"):
        finish(config, pending, {**answer, "iss": "https://idp.attacker.example"})


def test_a_wrong_client_secret_is_refused(
    oidc_provider: OidcProvider, person: httpx.Client
) -> None:
    config = replace(config_for(oidc_provider), client_secret=SecretStr("not-the-secret"))
    pending, answer = sign_in(config, person, "olive", "olive-pw")
    with pytest.raises(AuthenticationError, match="invalid_client") as refused:
        finish(config, pending, answer)
    assert "not-the-secret" not in refused.value.message


def test_the_providers_refusal_is_an_authentication_error(
    oidc_provider: OidcProvider, person: httpx.Client
) -> None:
    config = config_for(oidc_provider)
    url, pending = begin(config, CALLBACK)
    # prompt=none: a person not signed in at the provider is sent back with an error.
    answer = query(login(person, f"{url}&{urlencode({'prompt': 'none'})}", "olive", "x"))
    with pytest.raises(AuthenticationError, match="login_required"):
        finish(config, pending, answer)


def test_an_old_attempt_is_refused(oidc_provider: OidcProvider, person: httpx.Client) -> None:
    config = config_for(oidc_provider)
    pending, answer = sign_in(config, person, "olive", "olive-pw")
    old = replace(pending, created_at=datetime.now(UTC) - timedelta(hours=1))
    with pytest.raises(AuthenticationError, match="too long"):
        finish(config, old, answer)


def test_a_provider_naming_another_issuer_is_not_used(oidc_provider: OidcProvider) -> None:
    port = urlsplit(oidc_provider.issuer).port
    misnamed = replace(config_for(oidc_provider), issuer=f"http://localhost:{port}")
    with pytest.raises(IdentityProviderUnavailableError, match="names itself"):
        begin(misnamed, CALLBACK)


def unreachable_config() -> OidcConfig:
    with socket.socket() as sock:  # a port nothing listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return OidcConfig(f"http://127.0.0.1:{port}", "nis", SecretStr("nis-secret"), timeout_s=2)


def test_an_unreachable_provider_is_unavailable() -> None:
    with pytest.raises(IdentityProviderUnavailableError, match="cannot be reached"):
        begin(unreachable_config(), CALLBACK)


def test_an_unreachable_provider_answers_503_with_retry_after() -> None:
    app = FastAPI()
    problem_details.install(app)
    config = unreachable_config()

    @app.get("/sign-in")
    def sign_in_route() -> str:
        return begin(config, CALLBACK)[0]

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://nis") as client:
            return await client.get("/sign-in")

    response = asyncio.run(ask())
    assert response.status_code == 503
    assert response.headers["content-type"] == problem_details.PROBLEM_JSON
    assert response.json()["code"] == IdentityProviderUnavailableError.code
    assert int(response.headers["retry-after"]) > 0
