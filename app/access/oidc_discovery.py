"""What NIS knows of its OpenID provider before any sign-in: the discovery document
(OpenID Connect Discovery 1.0, checked by Authlib) and the signing keys, fetched on first
use and kept, and the error that says the provider cannot be reached."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx2
from authlib.oidc.discovery import OpenIDProviderMetadata, get_well_known_url
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from app.errors import IdentityProviderUnavailableError

# Metadata and keys are fetched again after this; keys sooner when a token names a new one.
METADATA_TTL_S = 3600.0
# ID token signatures NIS accepts: public-key ones only (never "none", nor HMAC with the
# client secret), RS256 being what every OpenID provider must offer.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")


@dataclass(frozen=True)
class ProviderMetadata:
    """What NIS uses of the provider's discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    signing_algorithms: tuple[str, ...]
    iss_parameter_supported: bool  # RFC 9207: its answers name it


def json_object(response: httpx2.Response) -> dict[str, Any] | None:
    """A successful answer's JSON object; None for any other answer."""
    if response.status_code != 200:
        return None
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


class ProviderCache:
    """One provider's metadata and keys, fetched when first asked for and then kept for
    :data:`METADATA_TTL_S` (the keys until a token names a key they lack). Failures are not
    kept: the next call asks again."""

    def __init__(self, issuer: str, timeout_s: float) -> None:
        self.issuer = issuer
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._metadata: ProviderMetadata | None = None
        self._keys: KeySet | None = None
        self._fetched_at = 0.0

    def metadata(self) -> ProviderMetadata:
        with self._lock:
            if self._metadata is None or time.monotonic() - self._fetched_at > METADATA_TTL_S:
                self._metadata = self._fetch_metadata()
                self._keys = None
                self._fetched_at = time.monotonic()
            return self._metadata

    def keys(self, *, refresh: bool = False) -> KeySet:
        jwks_uri = self.metadata().jwks_uri
        with self._lock:
            if self._keys is None or refresh:
                self._keys = self._fetch_keys(jwks_uri)
            return self._keys

    def unreachable(self, exc: Exception) -> IdentityProviderUnavailableError:
        """The error for a request to the provider that got no answer."""
        return IdentityProviderUnavailableError(
            f"The identity provider at {self.issuer} cannot be reached "
            f"({type(exc).__name__}); try again shortly."
        )

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            with httpx2.Client(timeout=self.timeout_s) as client:
                response = client.get(url, headers={"Accept": "application/json"})
        except httpx2.HTTPError as exc:
            raise self.unreachable(exc) from exc
        data = json_object(response)
        if data is None:
            raise IdentityProviderUnavailableError(
                f"The identity provider at {self.issuer} gave no valid {what} "
                f"(HTTP {response.status_code}); try again shortly."
            )
        return data

    def _fetch_metadata(self) -> ProviderMetadata:
        url = get_well_known_url(self.issuer, external=True)
        document = OpenIDProviderMetadata(self._get_json(url, "discovery document"))
        try:
            document.validate()
        except ValueError as exc:
            raise IdentityProviderUnavailableError(
                f"The identity provider's discovery document at {url} is not valid: {exc}"
            ) from exc
        if document["issuer"] != self.issuer:
            raise IdentityProviderUnavailableError(
                f"The identity provider at {url} names itself {document['issuer']!r}, not "
                f"the configured issuer {self.issuer!r}."
            )
        methods = document.get("code_challenge_methods_supported")
        if methods is not None and "S256" not in methods:
            raise IdentityProviderUnavailableError(
                "The identity provider does not offer PKCE with S256, which NIS requires."
            )
        offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
        return ProviderMetadata(
            issuer=document["issuer"],
            authorization_endpoint=document["authorization_endpoint"],
            token_endpoint=document["token_endpoint"],
            jwks_uri=document["jwks_uri"],
            userinfo_endpoint=document.get("userinfo_endpoint"),
            signing_algorithms=tuple(a for a in offered if a in SIGNING_ALGORITHMS),
            iss_parameter_supported=(
                document.get("authorization_response_iss_parameter_supported") is True
            ),
        )

    def _fetch_keys(self, jwks_uri: str) -> KeySet:
        data = self._get_json(jwks_uri, "key set")
        listed = data.get("keys")
        keys = [k for k in listed or [] if isinstance(k, dict) and k.get("use") != "enc"]
        try:
            return KeySet.import_key_set({"keys": keys})
        except (JoseError, ValueError, TypeError) as exc:
            raise IdentityProviderUnavailableError(
                f"The identity provider's key set at {jwks_uri} cannot be read ({exc})."
            ) from exc
