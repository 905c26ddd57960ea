"""The viewer of a request, for route signatures: ``ViewerDep`` (anyone; the public
without credentials) and ``PartnerDep`` (a key is required: 401 without one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.access.policy import require_partner
from app.access.repository import touch_key
from app.access.service import authenticate
from app.access.viewer import PUBLIC, Viewer
from app.deps import EngineDep, SessionDep


def get_viewer(request: Request, session: SessionDep, engine: EngineDep) -> Viewer:
    """The caller: the public without an ``Authorization`` header; a bad key is 401."""
    header = request.headers.get("authorization")
    if not header:
        return PUBLIC
    viewer = authenticate(session, header)
    if viewer.key_id is not None:
        # In a short transaction of its own: holding the key's row until the end of a
        # long upload would serialise every request made with that key.
        with engine.begin() as conn:
            touch_key(conn, viewer.key_id)
    return viewer


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


def get_partner(viewer: ViewerDep) -> Viewer:
    """The caller, who must hold a key (401 otherwise)."""
    require_partner(viewer)
    return viewer


PartnerDep = Annotated[Viewer, Depends(get_partner)]
