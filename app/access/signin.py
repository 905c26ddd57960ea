"""Signing officers in and out: throttled, audited, one answer for every failure."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.access import sessions, throttle, users
from app.access.viewer import Viewer
from app.audit import service as audit
from app.errors import AuthenticationError, PermissionDeniedError
from app.settings import Settings, local_sign_in


def sign_in_local(
    session: Session, engine: Engine, settings: Settings, username: str, password: str
) -> tuple[Viewer, sessions.Started]:
    """Check a local account's name and password and open a session (401 for any
    failure, 429 past the limits of :mod:`.throttle`)."""
    if not local_sign_in(settings):
        raise PermissionDeniedError("Officers sign in through the partnership's single sign-on")
    context = audit.context_of(session)
    limits = throttle.Limits.of(settings)
    attempted = username.strip().lower()[:128]
    throttle.refuse_if_throttled(session, limits, context.address, attempted)
    try:
        viewer = users.check_local_sign_in(session, username, password)
    except AuthenticationError:
        reached = throttle.count_failure(engine, limits, context.address, attempted)
        audit.record_apart(
            engine, context, None, "sign-in", "throttled" if reached else "refused",
            detail={"method": "local", "account": attempted},
        )  # fmt: skip
        raise
    throttle.clear_account(engine, attempted)
    return viewer, _open(session, settings, viewer, "local")


def _open(session: Session, settings: Settings, viewer: Viewer, method: str) -> sessions.Started:
    assert viewer.user_id is not None
    started = sessions.start(
        session, settings, viewer.user_id, method, audit.context_of(session).address
    )
    audit.record(session, viewer, "sign-in", detail={"method": method})
    return started


def sign_in_directory(
    session: Session, settings: Settings, account: users.DirectoryAccount
) -> tuple[Viewer, sessions.Started]:
    """Open a session for an officer the identity provider vouched for."""
    viewer = users.sign_in_from_directory(session, account)
    return viewer, _open(session, settings, viewer, "oidc")


def sign_out(session: Session, viewer: Viewer, everywhere: bool) -> int:
    """End the viewer's session (or every session of their account); how many ended."""
    if viewer.user_id is None:
        raise AuthenticationError("Only a signed-in officer can sign out")
    ended = (
        sessions.end_everywhere(session, viewer.user_id)
        if everywhere
        else sessions.end(session, viewer)
    )
    audit.record(session, viewer, "sign-out", detail={"everywhere": everywhere, "ended": ended})
    return ended
