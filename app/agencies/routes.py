"""HTTP routes for agencies (administrators only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from app.agencies import repository as repo
from app.agencies import service
from app.deps import PrincipalDep, SessionDep

router = APIRouter(tags=["agencies"])


class AgencyIn(BaseModel):
    name: str
    title: str | None = None


@router.get("/agencies")
def list_agencies(session: SessionDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    principal.require_admin()
    return [dict(r._mapping) for r in repo.list_agencies(session)]


@router.post("/agencies", status_code=201)
def create_agency(body: AgencyIn, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    principal.require_admin()
    service.create_agency(session, body.name, body.title)
    return {"name": body.name.strip().lower(), "title": body.title}
