"""HTTP routes for custom areas: parse, call :mod:`app.areas.custom`, shape the output.
A patch's map, profile and downloads are the routes of every area type."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from app.access.deps import ViewerDep
from app.access.policy import Sharing
from app.areas import custom
from app.areas.custom_schemas import CustomAreaIn, CustomAreaOut
from app.deps import SessionDep
from app.responses import PARTNER, problems

router = APIRouter(tags=["custom areas"], responses=PARTNER)

Code = Annotated[str, Path(max_length=64, description="The custom area's code, custom-…")]


@router.post(
    "/custom-areas", status_code=201, response_model=CustomAreaOut, responses=problems(422)
)
def create_custom_area(body: CustomAreaIn, session: SessionDep, viewer: ViewerDep) -> Any:
    """Make a custom area of LSOAs (`lsoas`) or of a drawn polygon (`geometry`), owned by
    the signed-in officer, `private` (theirs and administrators') or `partnership`
    (every partner's); never the public's."""
    request = custom.CustomAreaRequest(body.name, Sharing(body.sharing), body.lsoas, body.geometry)
    return custom.create(session, viewer, request)


@router.get("/custom-areas", response_model=list[CustomAreaOut])
def list_custom_areas(session: SessionDep, viewer: ViewerDep) -> list[dict[str, Any]]:
    """The custom areas the viewer may see, newest first."""
    return custom.visible_custom_areas(session, viewer)


@router.get("/custom-areas/{code}", response_model=CustomAreaOut, responses=problems(404))
def get_custom_area(code: Code, session: SessionDep, viewer: ViewerDep) -> dict[str, Any]:
    return custom.visible_custom_area(session, viewer, code)


@router.delete("/custom-areas/{code}", status_code=204, responses=problems(404))
def delete_custom_area(code: Code, session: SessionDep, viewer: ViewerDep) -> Response:
    """Delete a custom area (its owner, or an administrator)."""
    custom.delete(session, viewer, code)
    return Response(status_code=204)
