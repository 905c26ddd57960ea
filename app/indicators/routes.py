"""HTTP routes for the indicator catalogue."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool

from app.deps import OptionalPrincipalDep, PrincipalDep, SessionDep, SettingsDep
from app.indicators import service
from app.indicators.schemas import CatalogueImportOut, IndicatorOut
from app.uploads.source import receive_upload

router = APIRouter(tags=["indicators"])


@router.get("/indicators", response_model=list[IndicatorOut])
def list_indicators(session: SessionDep, principal: OptionalPrincipalDep) -> list[dict[str, Any]]:
    """The catalogue. Without a key, public indicators only."""
    return service.list_indicators(session, principal)


@router.get("/indicators/{code}", response_model=IndicatorOut)
def get_indicator(
    session: SessionDep, principal: OptionalPrincipalDep, code: Annotated[str, Path()]
) -> dict[str, Any]:
    return service.indicator_out(service.visible_indicator(session, code, principal))


@router.post("/indicators", response_model=CatalogueImportOut)
async def import_indicators(
    request: Request, session: SessionDep, principal: PrincipalDep, settings: SettingsDep
) -> Any:
    """Create or update indicators from a catalogue (CSV or JSON); administrators only."""
    principal.require_admin()
    upload = await receive_upload(request, settings.max_upload_bytes)
    data = upload.data.read()

    def run() -> service.CatalogueImport:
        specs = service.parse_catalogue(session, data, upload.content_type)
        return service.import_catalogue(session, principal, specs)

    return await run_in_threadpool(run)
