"""HTTP routes for agencies (administrators only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from app.access import policy, service
from app.access import repository as repo
from app.access.deps import PartnerDep
from app.deps import SessionDep

router = APIRouter(tags=["agencies"])


class AgencyIn(BaseModel):
    name: str
    title: str | None = None


@router.get("/agencies")
def list_agencies(session: SessionDep, viewer: PartnerDep) -> list[dict[str, Any]]:
    policy.require_admin(viewer)
    return [dict(r._mapping) for r in repo.list_agencies(session)]


@router.post("/agencies", status_code=201)
def create_agency(body: AgencyIn, session: SessionDep, viewer: PartnerDep) -> dict[str, Any]:
    policy.require_admin(viewer)
    service.create_agency(session, body.name, body.title)
    return {"name": body.name.strip().lower(), "title": body.title}
