"""Officers' single sign-on: a client of the partnership's OpenID provider.

OpenID Connect's authorization code flow with PKCE (S256), in two steps with whatever keeps
a :class:`PendingSignIn` between them, server-side:

- :func:`begin` gives the provider's URL to send the browser to, and the attempt to keep;
- :func:`finish` takes the attempt back with the query of the provider's redirect to NIS's
  callback, and returns the :class:`Identity` the provider vouches for;
- :func:`role_from_groups` reads a NIS role and agency from that identity's groups.

Authlib speaks OAuth (the authorization URL, the code exchange with client authentication,
the provider metadata and the ID token's OpenID rules: nonce, azp, at_hash); joserfc checks
the ID token's signature against the provider's keys. Failures are domain errors: the
provider unreachable or talking nonsense is :class:`IdentityProviderUnavailableError`
(503), a refused or invalid sign-in :class:`AuthenticationError` (401). Their messages
never hold a token, code, verifier or secret. Nothing here knows of routes, cookies or the
database.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx2
from authlib.integrations.httpx_client import OAuth2Client, OAuthError
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jws import JWSRegistry
from pydantic import SecretStr

from app.access.oidc_discovery import ProviderCache, ProviderMetadata, json_object
from app.errors import AuthenticationError, IdentityProviderUnavailableError, PermissionDeniedError
from app.settings import Settings

logger = logging.getLogger(__name__)

# An attempt not finished within this is refused (the provider's own codes live a minute).
SIGN_IN_TIMEOUT = timedelta(minutes=10)
# Clock difference tolerated between NIS and the provider when checking exp and iat.
LEEWAY_S = 60
# Claims of the identity read from userinfo when the ID token lacks them.
PROFILE_CLAIMS = ("preferred_username", "email", "name")

Role = Literal["officer", "analyst", "admin"]
# Public (no role) < officer < analyst < admin: the highest a person's groups give wins.
ROLE_RANK: dict[Role, int] = {"officer": 1, "analyst": 2, "admin": 3}
# An analyst acts for an agency, so an analyst's group names one.
NEEDS_AGENCY: frozenset[Role] = frozenset({"analyst"})


@dataclass(frozen=True)
class OidcConfig:
    """NIS as a client of one OpenID provider; it keeps that provider's metadata and keys
    once fetched, so build one per application, not per request."""

    issuer: str
    client_id: str
    client_secret: SecretStr
    client_auth_method: Literal["client_secret_basic", "client_secret_post"] = "client_secret_basic"
    scopes: str = "openid profile email groups"
    groups_claim: str = "groups"
    group_prefix: str = "nis-"
    timeout_s: float = 10.0
    provider: ProviderCache = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "provider", ProviderCache(self.issuer, self.timeout_s))

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcConfig | None:
        """The configuration from ``NIS_OIDC_*``; None when single sign-on is not set up."""
        if settings.oidc_issuer is None or settings.oidc_client_id is None:
            return None
        return cls(
            issuer=settings.oidc_issuer,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret or SecretStr(""),
            client_auth_method=settings.oidc_client_auth_method,
            scopes=settings.oidc_scopes,
            groups_claim=settings.oidc_groups_claim,
            group_prefix=settings.oidc_group_prefix,
        )


@dataclass(frozen=True)
class PendingSignIn:
    """A sign-in under way: what :func:`finish` needs to check the provider's answer. Keep
    it server-side (the verifier proves to the provider that NIS asked for the code)."""

    state: str = field(repr=False)
    nonce: str = field(repr=False)
    code_verifier: str = field(repr=False)
    redirect_uri: str
    created_at: datetime

    def to_dict(self) -> dict[str, str]:
        """As JSON-ready text, for storage."""
        return {
            "state": self.state,
            "nonce": self.nonce,
            "code_verifier": self.code_verifier,
            "redirect_uri": self.redirect_uri,
            "created_at": self.created_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PendingSignIn:
        """Read back what :meth:`to_dict` gave; ValueError when it is not that."""
        names = ("state", "nonce", "code_verifier", "redirect_uri", "created_at")
        values = [data.get(name) for name in names]
        if not all(isinstance(v, str) and v for v in values):
            raise ValueError(f"a pending sign-in needs {', '.join(names)} as text")
        created_at = datetime.fromisoformat(data["created_at"])
        if created_at.tzinfo is None:
            raise ValueError("a pending sign-in's created_at needs a time zone")
        return cls(
            data["state"], data["nonce"], data["code_verifier"], data["redirect_uri"], created_at
        )


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in. ``(issuer, subject)`` is the stable key of a person;
    ``username`` is preferred_username, else email, else the subject."""

    issuer: str
    subject: str
    username: str
    display_name: str
    email: str | None
    groups: tuple[str, ...]


def discover(config: OidcConfig, *, refresh_keys: bool = False) -> ProviderMetadata:
    """The provider's metadata, with its signing keys fetched too (both kept in ``config``).

    Raises IdentityProviderUnavailableError when the provider cannot be reached or its
    documents are not valid (for instance an issuer other than the configured one).
    """
    config.provider.keys(refresh=refresh_keys)
    return config.provider.metadata()


def begin(config: OidcConfig, redirect_uri: str) -> tuple[str, PendingSignIn]:
    """Start a sign-in: the provider's authorization URL (with state, nonce and an S256
    code challenge) and the attempt to keep until the provider redirects to
    ``redirect_uri`` (which must be registered with the provider)."""
    metadata = discover(config)
    pending = PendingSignIn(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),  # 86 characters of the 43 to 128 allowed
        redirect_uri=redirect_uri,
        created_at=datetime.now(UTC),
    )
    with _oauth_client(config, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            metadata.authorization_endpoint,
            state=pending.state,
            code_verifier=pending.code_verifier,
            nonce=pending.nonce,
        )
    return str(url), pending


def finish(
    config: OidcConfig, pending: PendingSignIn, callback_query: Mapping[str, str]
) -> Identity:
    """Finish a sign-in from the query of the provider's redirect to the callback: check it
    answers this attempt, exchange its code (with the verifier, authenticating NIS), check
    the ID token (signature, issuer, audience, expiry, nonce) and read the identity, from
    userinfo as well when the ID token lacks the groups or profile claims.

    Raises AuthenticationError when the sign-in is refused or anything fails a check, and
    IdentityProviderUnavailableError when the provider cannot be reached.
    """
    if datetime.now(UTC) - pending.created_at > SIGN_IN_TIMEOUT:
        raise AuthenticationError("The sign-in took too long; start again.")
    state = callback_query.get("state", "")
    if not hmac.compare_digest(state.encode(), pending.state.encode()):
        raise AuthenticationError(
            "The identity provider's answer does not belong to this sign-in (state); start again."
        )
    metadata = config.provider.metadata()
    issuer = callback_query.get("iss")
    if (issuer is not None or metadata.iss_parameter_supported) and issuer != metadata.issuer:
        # RFC 9207: an answer from another provider (a mix-up attack) or none named.
        raise AuthenticationError("The sign-in answer does not come from the configured provider.")
    if "error" in callback_query:
        detail = _printable(callback_query["error"])
        if callback_query.get("error_description"):
            detail += f": {_printable(callback_query['error_description'])}"
        raise AuthenticationError(f"The identity provider refused the sign-in ({detail}).")
    code = callback_query.get("code")
    if not code:
        raise AuthenticationError("The identity provider's answer has no code; start again.")
    token = _exchange_code(config, metadata, pending, code)
    claims = _verify_id_token(config, metadata, token, pending.nonce)
    wanted = (config.groups_claim, *PROFILE_CLAIMS)
    if metadata.userinfo_endpoint and any(name not in claims for name in wanted):
        userinfo = _userinfo(config, metadata.userinfo_endpoint, token)
        if userinfo.get("sub") != claims["sub"]:
            raise AuthenticationError("The identity provider's userinfo names another person.")
        claims = {**userinfo, **claims}
    return _identity(config, metadata.issuer, claims)


def role_from_groups(groups: Iterable[str], prefix: str = "nis-") -> tuple[Role, str | None] | None:
    """The NIS role and agency a person's groups give, or None when none gives a role.

    A group is ``PREFIX + ROLE`` or ``PREFIX + ROLE:AGENCY`` with ROLE officer, analyst or
    admin (compared without regard to case; the agency comes back in lower case, as NIS
    names agencies). The highest role wins. An analyst acts for an agency, so an analyst
    group without one gives nothing; other groups are ignored. Where the winning role comes
    with two agencies, NIS cannot tell which the person acts for: PermissionDeniedError.

    >>> role_from_groups(["staff", "nis-officer:police", "nis-analyst:health"])
    ('analyst', 'health')
    """
    found: dict[Role, set[str | None]] = {}
    for group in groups:
        granted = _grant(group, prefix)
        if granted is not None:
            found.setdefault(granted[0], set()).add(granted[1])
    if not found:
        return None
    role = max(found, key=ROLE_RANK.__getitem__)
    agencies = sorted(a for a in found[role] if a is not None)
    if len(agencies) > 1:
        raise PermissionDeniedError(
            f"The identity provider's groups make you {role} for {' and '.join(agencies)}; "
            "NIS acts for one agency at a time: ask for one group to be removed."
        )
    return role, agencies[0] if agencies else None


def _grant(group: str, prefix: str) -> tuple[Role, str | None] | None:
    text = group.strip()
    if not text.lower().startswith(prefix.lower()):
        return None
    name, colon, agency_text = text[len(prefix) :].partition(":")
    role = name.strip().lower()
    agency = agency_text.strip().lower() or None
    if role not in ROLE_RANK or (colon and agency is None):
        return None
    if agency is None and role in NEEDS_AGENCY:
        return None
    return role, agency


def _oauth_client(config: OidcConfig, redirect_uri: str | None = None, **kwargs: Any) -> Any:
    return OAuth2Client(
        client_id=config.client_id,
        client_secret=config.client_secret.get_secret_value(),
        token_endpoint_auth_method=config.client_auth_method,
        scope=config.scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        timeout=config.timeout_s,
        **kwargs,
    )


def _exchange_code(
    config: OidcConfig, metadata: ProviderMetadata, pending: PendingSignIn, code: str
) -> dict[str, Any]:
    try:
        with _oauth_client(config, pending.redirect_uri) as client:
            token = client.fetch_token(
                metadata.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=pending.code_verifier,
            )
    except OAuthError as exc:
        logger.warning("token endpoint refused a code: %s (%s)", exc.error, exc.description)
        if exc.error == "invalid_client":
            raise AuthenticationError(
                "The identity provider did not accept NIS's client credentials "
                "(invalid_client): check NIS_OIDC_CLIENT_ID and NIS_OIDC_CLIENT_SECRET."
            ) from None
        raise AuthenticationError(
            f"The identity provider refused the sign-in code ({_printable(str(exc.error))}); "
            "start again."
        ) from None
    except httpx2.HTTPStatusError as exc:
        status = exc.response.status_code
        if status >= 500:
            raise config.provider.unreachable(exc) from None
        raise AuthenticationError(
            f"The identity provider refused the sign-in code (HTTP {status}); start again."
        ) from None
    except httpx2.HTTPError as exc:
        raise config.provider.unreachable(exc) from None
    except ValueError:
        raise IdentityProviderUnavailableError(
            "The identity provider's token endpoint did not answer in JSON."
        ) from None
    if not isinstance(token.get("id_token"), str):
        raise AuthenticationError(
            "The identity provider gave no ID token (is openid among NIS_OIDC_SCOPES?)."
        )
    return dict(token)


def _verify_id_token(
    config: OidcConfig, metadata: ProviderMetadata, token: Mapping[str, Any], nonce: str
) -> dict[str, Any]:
    registry = JWSRegistry(algorithms=metadata.signing_algorithms, strict_check_header=False)
    try:
        try:
            decoded = jwt.decode(token["id_token"], config.provider.keys(), registry=registry)
        except InvalidKeyIdError:  # the provider may have rotated its keys since we fetched them
            keys = config.provider.keys(refresh=True)
            decoded = jwt.decode(token["id_token"], keys, registry=registry)
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": metadata.issuer},
                "aud": {"essential": True, "value": config.client_id},
            },
            {
                "nonce": nonce,
                "client_id": config.client_id,
                "access_token": token.get("access_token"),
            },
        )
        claims.validate(leeway=LEEWAY_S)
    except JoseError as exc:
        # joserfc's descriptions name the failed check or claim, never the token.
        raise AuthenticationError(
            f"The identity provider's ID token is not valid ({exc.error}: {exc.description})."
        ) from None
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise AuthenticationError("The identity provider's ID token names no subject.")
    return dict(claims)


def _userinfo(config: OidcConfig, endpoint: str, token: Mapping[str, Any]) -> dict[str, Any]:
    try:
        with _oauth_client(config, token=dict(token)) as client:
            response = client.get(endpoint, headers={"Accept": "application/json"})
    except httpx2.HTTPError as exc:
        raise config.provider.unreachable(exc) from None
    if response.status_code >= 500:
        raise IdentityProviderUnavailableError(
            f"The identity provider's userinfo failed (HTTP {response.status_code}); try again."
        )
    data = json_object(response)
    if data is None:
        raise AuthenticationError(
            f"The identity provider's userinfo gave no claims (HTTP {response.status_code})."
        )
    return data


def _identity(config: OidcConfig, issuer: str, claims: Mapping[str, Any]) -> Identity:
    subject = str(claims["sub"])
    email = _text(claims.get("email"))
    username = _text(claims.get("preferred_username")) or email or subject
    return Identity(
        issuer=issuer,
        subject=subject,
        username=username,
        display_name=_text(claims.get("name")) or username,
        email=email,
        groups=_groups(claims.get(config.groups_claim), config.groups_claim),
    )


def _groups(value: object, claim: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):  # some providers give a lone group as a string
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(g, str) for g in value):
        raise AuthenticationError(f"The identity provider's {claim} claim is not a list of names.")
    return tuple(value)


def _text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _printable(text: str, limit: int = 200) -> str:
    """A provider's error code or description as RFC 6749 allows them (printable ASCII but
    quotes and backslashes), shortened: it may come from anyone who can send a link."""
    kept = "".join(c for c in text if " " <= c <= "~" and c not in '"\\')
    return kept[:limit] + ("…" if len(kept) > limit else "")
