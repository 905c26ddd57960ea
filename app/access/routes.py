"""HTTP routes for agencies (administrators only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.access import policy, service
from app.access import repository as repo
from app.access.deps import PartnerDep
from app.access.schemas import AgencyIn, AgencyListed, AgencyOut
from app.deps import SessionDep
from app.responses import PARTNER, problems

router = APIRouter(tags=["agencies"])


@router.get("/agencies", response_model=list[AgencyListed], responses=problems(401, 403, 503))
def list_agencies(session: SessionDep, viewer: PartnerDep) -> list[dict[str, Any]]:
    policy.require_admin(viewer)
    return [dict(r._mapping) for r in repo.list_agencies(session)]


@router.post(
    "/agencies",
    status_code=201,
    response_model=AgencyOut,
    responses={**PARTNER, **problems(409)},
)
def create_agency(body: AgencyIn, session: SessionDep, viewer: PartnerDep) -> dict[str, Any]:
    policy.require_admin(viewer)
    service.create_agency(session, body.name, body.title)
    return {"name": body.name.strip().lower(), "title": body.title}
