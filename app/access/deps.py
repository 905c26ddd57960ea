"""The viewer of a request, for route signatures: ``ViewerDep`` (anyone; the public
without credentials), ``PartnerDep`` (signed in or a key: 401 otherwise) and
``AnalystDep`` (an agency's analyst or an administrator: uploads and reverts).

A request names its viewer by an ``Authorization: Bearer KEY`` header (machines) or by
the session cookie of a signed-in officer (browsers); the header wins when both are
sent. Both are declared in the OpenAPI document (``bearer`` and ``session``), so /docs
can try a request with either. A bad key is a 401; repeated bad keys from one address
are slowed down (429) and recorded. A cookie of a session that has ended is the
public's, so an expired sign-in never breaks a public page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from app.access import policy, sessions, throttle
from app.access.repository import touch_key
from app.access.service import authenticate
from app.access.viewer import PUBLIC, Viewer
from app.audit import service as audit
from app.deps import EngineDep, SessionDep, SettingsDep
from app.errors import AuthenticationError

_bearer = HTTPBearer(
    scheme_name="bearer",
    description="An API key (`nis key create`), for machines: `Authorization: Bearer KEY`.",
    auto_error=False,
)
_cookie = APIKeyCookie(
    name=sessions.COOKIE,
    scheme_name="session",
    description=(
        "A signed-in officer's session (sign in at /). Requests that change something "
        f"also send the session's {sessions.CSRF_HEADER} header."
    ),
    auto_error=False,
)


def get_viewer(
    request: Request,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Viewer:
    """The caller: a key's, a session's, or the public."""
    context = audit.bind_request(session, request)
    header = request.headers.get("authorization")
    if header:
        return _key_viewer(session, engine, settings, context, header)
    if cookie:
        live = sessions.resolve(session, engine, settings, cookie)
        if live is not None:
            sessions.check_csrf(request, live)
            request.state.session = live
            return live.viewer
    return PUBLIC


def _key_viewer(
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    context: audit.RequestContext,
    header: str,
) -> Viewer:
    limits = throttle.Limits.of(settings)
    throttle.refuse_if_throttled(session, limits, context.address)
    try:
        viewer = authenticate(session, header)
    except AuthenticationError as exc:
        reached = throttle.count_failure(engine, limits, context.address)
        outcome = "throttled" if reached else "refused"
        audit.record_apart(engine, context, None, "key.rejected", outcome, detail={"why": str(exc)})
        raise
    if viewer.key_id is not None:
        # In a short transaction of its own: holding the key's row until the end of a
        # long upload would serialise every request made with that key.
        with engine.begin() as conn:
            touch_key(conn, viewer.key_id)
    return viewer


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


def get_partner(viewer: ViewerDep) -> Viewer:
    """The caller, who must be signed in or hold a key (401 otherwise)."""
    policy.require_partner(viewer)
    return viewer


PartnerDep = Annotated[Viewer, Depends(get_partner)]


def get_analyst(viewer: ViewerDep) -> Viewer:
    """The caller, who must be an agency's analyst or an administrator (401, 403)."""
    policy.require_analyst(viewer)
    return viewer


AnalystDep = Annotated[Viewer, Depends(get_analyst)]


def get_admin(viewer: ViewerDep) -> Viewer:
    policy.require_admin(viewer)
    return viewer


AdminDep = Annotated[Viewer, Depends(get_admin)]
