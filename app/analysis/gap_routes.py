"""HTTP routes of the gap view: the city's most deprived areas against the rest."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.access.deps import ViewerDep
from app.analysis import gap_view
from app.analysis.gap_schemas import DeprivationGroupsOut, GapOut
from app.deps import SessionDep, SettingsDep
from app.responses import NOT_FOUND, VIEWER_READ

router = APIRouter(tags=["analysis"])

AreaType = Annotated[
    str | None,
    Query(description="Area type; default the finest with a deprivation ranking (IMD)"),
]
Groups = Annotated[
    int | None,
    Query(description="5: the most deprived fifth; 10: tenth; default NIS_GAP_GROUPS"),
]


@router.get("/gaps", response_model=DeprivationGroupsOut, responses=VIEWER_READ)
def get_groups(
    session: SessionDep, settings: SettingsDep, area_type: AreaType = None, groups: Groups = None
) -> dict[str, Any]:
    """The city's most deprived fifth (or tenth) of areas, by its own IMD ranking: the
    areas the gap view compares with the rest, and the map outlines."""
    return gap_view.deprivation_groups(session, area_type, groups or settings.gap_groups)


@router.get("/gaps/{indicator}", response_model=GapOut, responses={**VIEWER_READ, **NOT_FOUND})
def get_gap(
    indicator: str,
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    area_type: AreaType = None,
    groups: Groups = None,
) -> dict[str, Any]:
    """One indicator in the city's most deprived fifth (or tenth) of areas against the
    rest, per period with 95% intervals: both values, the absolute and relative gap, the
    slope index of inequality; and whether the gap is narrowing or widening."""
    chosen = groups or settings.gap_groups
    return gap_view.indicator_gap(session, viewer, indicator, area_type, chosen)
