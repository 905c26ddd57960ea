"""HTTP routes for signing in and out (``/api/auth``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from app.access import sessions, signin
from app.access.auth_schemas import SignedOut, SignIn, Who
from app.access.deps import PartnerDep, ViewerDep
from app.access.viewer import Viewer
from app.deps import EngineDep, SessionDep, SettingsDep
from app.responses import PARTNER, VIEWER_READ, problems
from app.settings import Settings, local_sign_in, sso_configured

router = APIRouter(prefix="/auth", tags=["sign-in"])


def _who(viewer: Viewer, live: sessions.Live | None, settings: Settings) -> dict[str, Any]:
    via = "session" if live is not None else "key" if viewer.key_id is not None else "none"
    return {
        "signed_in": live is not None,
        "username": viewer.actor.removeprefix("user ") if viewer.user_id is not None else None,
        "display_name": live.display_name if live is not None else None,
        "role": str(viewer.role),
        "agency": viewer.agency,
        "via": via,
        "csrf_token": live.csrf_token if live is not None else None,
        "expires_at": live.expires_at if live is not None else None,
        "sso": sso_configured(settings),
        "local": local_sign_in(settings),
    }


@router.get("/session", response_model=Who, responses=VIEWER_READ)
def who(request: Request, viewer: ViewerDep, settings: SettingsDep) -> dict[str, Any]:
    """Who is signed in (the public when nobody is), with the session's CSRF token for
    the requests that change something, and how this instance signs officers in."""
    return _who(viewer, sessions.live_of(request), settings)


@router.post(
    "/sign-in",
    response_model=Who,
    responses={**problems(400, 401, 403, 429, 503)},
)
def sign_in(
    body: SignIn,
    request: Request,
    response: Response,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    viewer: ViewerDep,  # a bad key is refused before any password is checked
) -> dict[str, Any]:
    """Sign in with a local account's name and password: the session cookie is set.
    Every failure gives the same answer; repeated ones are slowed down (429)."""
    sessions.check_origin(request)
    signed, started = signin.sign_in_local(session, engine, settings, body.username, body.password)
    sessions.set_cookie(response, request, settings, started)
    return _who(signed, sessions.live_of_started(signed, started, "local"), settings)


@router.post("/sign-out", response_model=SignedOut, responses=PARTNER)
def sign_out(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    viewer: PartnerDep,
) -> dict[str, Any]:
    """End this session (the cookie is cleared)."""
    ended = signin.sign_out(session, viewer, everywhere=False)
    sessions.clear_cookie(response, request, settings)
    return {"sessions_ended": ended}


@router.post("/sign-out-everywhere", response_model=SignedOut, responses=PARTNER)
def sign_out_everywhere(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    viewer: PartnerDep,
) -> dict[str, Any]:
    """End every session of this account, on every device."""
    ended = signin.sign_out(session, viewer, everywhere=True)
    sessions.clear_cookie(response, request, settings)
    return {"sessions_ended": ended}
