"""Single sign-on through the partnership's identity provider: beginning an attempt
(kept server-side), and finishing it into a session. The directory decides who is an
officer of which agency: their groups give the role (:func:`.oidc.role_from_groups`)."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.access import account_repository as repo
from app.access import oidc, sessions, signin
from app.access import repository as agency_repo
from app.access.users import DirectoryAccount
from app.access.viewer import Role, Viewer
from app.audit import service as audit
from app.errors import AuthenticationError, PermissionDeniedError
from app.settings import Settings

CALLBACK_PATH = "/api/auth/sso/callback"


def _state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def safe_next(path: str | None) -> str:
    """Where to go once signed in: a path of this site only (never another site)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return "/"
    return path


def begin(session: Session, config: oidc.OidcConfig, callback_url: str, next_path: str) -> str:
    """The provider's URL to send the browser to; the attempt is kept until it returns."""
    url, pending = oidc.begin(config, callback_url)
    repo.insert_pending(
        session, _state_hash(pending.state), {**pending.to_dict(), "next": safe_next(next_path)}
    )
    return url


def finish(
    session: Session,
    engine: Engine,
    settings: Settings,
    config: oidc.OidcConfig,
    query: dict[str, str],
) -> tuple[Viewer, sessions.Started, str]:
    """The officer the provider vouches for, their new session, and where to send them.
    Failures are audited (in a transaction of their own) and raised."""
    context = audit.context_of(session)
    try:
        data = repo.take_pending(
            session, _state_hash(query.get("state", "")), oidc.SIGN_IN_TIMEOUT.total_seconds()
        )
        if data is None:
            raise AuthenticationError("This sign-in has expired or was already used; start again.")
        next_path = safe_next(data.get("next"))
        identity = oidc.finish(config, oidc.PendingSignIn.from_dict(data), query)
        account = _account(session, config, identity)
        viewer, started = signin.sign_in_directory(session, settings, account)
    except (AuthenticationError, PermissionDeniedError) as exc:
        audit.record_apart(
            engine, context, None, "sign-in", "refused",
            detail={"method": "oidc", "why": exc.message},
        )  # fmt: skip
        raise
    return viewer, started, next_path


def _account(
    session: Session, config: oidc.OidcConfig, identity: oidc.Identity
) -> DirectoryAccount:
    granted = oidc.role_from_groups(identity.groups, config.group_prefix)
    if granted is None:
        raise PermissionDeniedError(
            f"{identity.username} signed in, but the directory gives them no role in NIS "
            f"(no {config.group_prefix}officer, {config.group_prefix}analyst:AGENCY or "
            f"{config.group_prefix}admin group); ask the partnership's administrator"
        )
    role, agency = granted
    if agency is not None and agency_repo.agency_by_name(session, agency) is None:
        raise PermissionDeniedError(
            f"The directory names agency {agency!r} for {identity.username}, which NIS does "
            "not know; an administrator creates it with `nis agency create`"
        )
    return DirectoryAccount(
        issuer=identity.issuer,
        subject=identity.subject,
        username=identity.username,
        display_name=identity.display_name,
        email=identity.email,
        role=Role(role),
        agency=agency,
    )
