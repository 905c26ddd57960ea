"""HTTP routes for the indicator catalogue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.access.deps import ViewerDep
from app.deps import SessionDep
from app.indicators import service
from app.indicators.indicator import Indicator
from app.responses import NOT_FOUND, VIEWER_READ, problems

router = APIRouter(tags=["indicators"])


@router.get("/indicators", response_model=list[Indicator], responses=problems(401, 503))
def list_indicators(session: SessionDep, viewer: ViewerDep) -> list[Indicator]:
    """The catalogue. Without a key, public indicators only."""
    return service.visible_indicators(session, viewer)


@router.get("/indicators/{code}", response_model=Indicator, responses={**VIEWER_READ, **NOT_FOUND})
def get_indicator(
    session: SessionDep, viewer: ViewerDep, code: Annotated[str, Path()]
) -> Indicator:
    return service.visible_indicator(session, viewer, code)
