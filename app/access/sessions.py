"""Officers' sessions: held server-side (revocable), known by a random token in an
HttpOnly, SameSite=Lax cookie (Secure behind HTTPS), with idle and absolute expiry.

A request made with the cookie that changes something (any method but GET, HEAD and
OPTIONS) must also send the session's CSRF token in ``X-CSRF-Token`` (the page reads it
from ``GET /api/auth/session``): another site can make a browser send the cookie, but
cannot read the token. Requests whose ``Origin`` names another site are refused too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from app.access import account_repository as repo
from app.access.viewer import Role, Viewer
from app.errors import PermissionDeniedError
from app.settings import Settings

COOKIE = "nis_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A session's last use is written at most this often (idle expiry is in minutes).
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Started:
    session_id: int
    display_name: str | None
    token: str  # for the cookie only; never stored
    csrf_token: str
    expires_at: datetime


def start(
    session: Session, settings: Settings, user_id: int, method: str, address: str | None
) -> Started:
    """Open a session for the account (it has just proved who it is)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(hours=settings.session_hours)
    session_id = repo.insert_session(session, user_id, _hash(token), csrf, method, address, expires)
    repo.mark_signed_in(session, user_id)
    return Started(session_id, repo.display_name(session, user_id), token, csrf, expires)


@dataclass(frozen=True)
class Live:
    viewer: Viewer
    display_name: str | None
    csrf_token: str
    method: str
    expires_at: datetime


def resolve(session: Session, engine: Engine, settings: Settings, token: str) -> Live | None:
    """The live session of a cookie's token (None when unknown, revoked, expired or idle
    too long: the request is then the public's)."""
    if not token or len(token) > 256:
        return None
    row = repo.live_session(session, _hash(token), settings.session_idle_minutes * 60)
    if row is None:
        return None
    if row.last_seen_at < datetime.now(UTC) - TOUCH_EVERY:
        with engine.begin() as conn:  # its own transaction, as for keys
            repo.touch_session(conn, int(row.id))
    viewer = Viewer(
        Role(row.role),
        actor=f"user {row.username}",
        user_id=int(row.user_id),
        session_id=int(row.id),
        agency_id=None if row.agency_id is None else int(row.agency_id),
        agency=row.agency,
    )
    return Live(viewer, row.display_name, str(row.csrf_token), str(row.method), row.expires_at)


def live_of(request: Request) -> Live | None:
    """The session the request was made in (set by :func:`app.access.deps.get_viewer`)."""
    live: Live | None = getattr(request.state, "session", None)
    return live


def live_of_started(viewer: Viewer, started: Started, method: str) -> Live:
    """The session just opened for ``viewer``."""
    return Live(
        replace(viewer, session_id=started.session_id), started.display_name,
        started.csrf_token, method,
        started.expires_at,
    )  # fmt: skip


def check_csrf(request: Request, live: Live) -> None:
    """403 for a state-changing request with the cookie but without the session's token,
    or from another site's page."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and origin != _own_origin(request):
        raise PermissionDeniedError(f"A request from {origin} may not act for a signed-in officer")
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent.encode(), live.csrf_token.encode()):
        raise PermissionDeniedError(
            f"This request needs the session's {CSRF_HEADER} header (the page sends it)"
        )


def _own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def check_origin(request: Request) -> None:
    """Refuse a sign-in posted from another site's page (login cross-site forgery)."""
    origin = request.headers.get("origin")
    if origin and origin != _own_origin(request):
        raise PermissionDeniedError(f"A sign-in from {origin} is not accepted")


def secure(request: Request, settings: Settings) -> bool:
    if settings.cookie_secure == "auto":
        return request.url.scheme == "https"
    return settings.cookie_secure == "always"


def set_cookie(response: Response, request: Request, settings: Settings, started: Started) -> None:
    response.set_cookie(
        COOKIE,
        started.token,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=secure(request, settings),
        path="/",
    )


def clear_cookie(response: Response, request: Request, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="lax", secure=secure(request, settings)
    )


def end(session: Session, viewer: Viewer) -> int:
    if viewer.session_id is None:
        return 0
    repo.revoke_session(session, viewer.session_id)
    return 1


def end_everywhere(session: Session, user_id: int) -> int:
    """Revoke every session of the account; how many there were."""
    return repo.revoke_user_sessions(session, user_id)
