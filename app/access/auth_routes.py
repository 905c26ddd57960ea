"""HTTP routes for signing in and out (``/api/auth``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from app.access import oidc, sessions, signin, sso
from app.access.auth_schemas import SignedOut, SignIn, Who
from app.access.deps import PartnerDep, ViewerDep
from app.access.viewer import Viewer
from app.deps import EngineDep, SessionDep, SettingsDep
from app.errors import (
    AuthenticationError,
    IdentityProviderUnavailableError,
    NotFoundError,
    PermissionDeniedError,
)
from app.responses import PARTNER, VIEWER_READ, problems
from app.settings import Settings, local_sign_in

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
        "sso": settings.sso_configured,
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
    return _signed_out(request, response, session, settings, viewer, everywhere=False)


@router.post("/sign-out-everywhere", response_model=SignedOut, responses=PARTNER)
def sign_out_everywhere(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    viewer: PartnerDep,
) -> dict[str, Any]:
    """End every session of this account, on every device."""
    return _signed_out(request, response, session, settings, viewer, everywhere=True)


def _signed_out(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: Settings,
    viewer: Viewer,
    *,
    everywhere: bool,
) -> dict[str, Any]:
    ended = signin.sign_out(session, viewer, everywhere=everywhere)
    sessions.clear_cookie(response, request, settings)
    return {"sessions_ended": ended}


def _oidc(request: Request) -> oidc.OidcConfig:
    config: oidc.OidcConfig | None = getattr(request.app.state, "oidc", None)
    if config is None:
        raise NotFoundError("Single sign-on is not configured here (NIS_OIDC_ISSUER)")
    return config


@router.get(
    "/sso/start",
    status_code=303,
    response_class=RedirectResponse,
    responses={303: {"description": "To the identity provider"}, **problems(400, 404, 503)},
)
def sso_start(
    request: Request,
    session: SessionDep,
    next: Annotated[str | None, Query(max_length=2000, description="Where to go after")] = None,
) -> RedirectResponse:
    """Sign in through the partnership's identity provider (OpenID Connect, authorization
    code with PKCE): a redirect there, which comes back to ``/api/auth/sso/callback``."""
    callback = str(request.url_for("sso_callback"))
    url = sso.begin(session, _oidc(request), callback, next or "/")
    return RedirectResponse(url, status_code=303)


@router.get(
    "/sso/callback",
    status_code=303,
    response_class=RedirectResponse,
    responses={303: {"description": "Signed in: to the page"}, **problems(401, 403, 404, 503)},
)
def sso_callback(
    request: Request,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> RedirectResponse:
    """Where the identity provider sends the officer back: the session cookie is set and
    the browser goes on to the page it started from. A refusal goes to the page too, which
    says why (``?sign_in=refused``, ``no-role`` or ``unavailable``)."""
    query = {k: v for k, v in request.query_params.items() if len(v) <= 4096}
    try:
        _, started, next_path = sso.finish(session, engine, settings, _oidc(request), query)
    except PermissionDeniedError:
        return RedirectResponse("/?sign_in=no-role", status_code=303)
    except AuthenticationError:
        return RedirectResponse("/?sign_in=refused", status_code=303)
    except IdentityProviderUnavailableError:
        return RedirectResponse("/?sign_in=unavailable", status_code=303)
    response = RedirectResponse(next_path, status_code=303)
    sessions.set_cookie(response, request, settings, started)
    return response
