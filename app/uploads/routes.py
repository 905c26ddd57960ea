"""HTTP routes for partners' uploads (observations, events, recounts) and their batches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from app.access import policy
from app.access.deps import AnalystDep, PartnerDep
from app.analysis.trigger import AnalysisDep
from app.deps import BatchId, SessionDep, SettingsDep
from app.errors import InvalidParameterError
from app.indicators import service as catalogue
from app.responses import NOT_FOUND, PARTNER, UPLOAD, problems
from app.settings import Settings
from app.uploads import batches, bodies, event_uploads, preview
from app.uploads.observation_uploads import UploadResult, upload_observations
from app.uploads.options import UploadOptions, parse_options
from app.uploads.schemas import (
    BatchOut,
    CatalogueImportOut,
    EventUploadOut,
    ObservationPreviewOut,
    ObservationUploadOut,
)
from app.uploads.source import UploadSource, receive_any, receive_upload, upload_limits

router = APIRouter(tags=["uploads"])
T = TypeVar("T")


async def _in_thread(upload: UploadSource, work: Callable[[], T]) -> T:
    """``work()`` (which reads ``upload``) off the event loop; the upload is closed after."""
    try:
        return await run_in_threadpool(work)
    finally:
        upload.data.close()


@router.post(
    "/indicators",
    tags=["indicators"],
    response_model=CatalogueImportOut,
    responses=UPLOAD,
    openapi_extra=bodies.CATALOGUE,
)
async def import_indicators(
    request: Request, session: SessionDep, viewer: PartnerDep, settings: SettingsDep
) -> Any:
    """Create or update indicators from a catalogue (CSV or JSON); administrators only."""
    policy.require_admin(viewer)
    upload = await receive_upload(request, settings.max_upload_bytes)
    try:
        data = upload.data.read()
    finally:
        upload.data.close()

    def run() -> catalogue.CatalogueImport:
        indicators = catalogue.parse_catalogue(session, data, upload.content_type)
        return catalogue.import_catalogue(session, viewer, indicators)

    return await run_in_threadpool(run)


def _options_query(
    period: Annotated[
        str | None, Query(description="Period of a wide file that has no period column")
    ] = None,
    sheet: Annotated[
        str | None, Query(description="The workbook's sheet (default: the first)")
    ] = None,
    header_row: Annotated[
        int | None,
        Query(ge=1, le=1000, description="The header's row, when rows above it hold a title"),
    ] = None,
    area_column: Annotated[str | None, Query(description="The column of area codes")] = None,
    period_column: Annotated[str | None, Query(description="The column of periods")] = None,
    mapping: Annotated[
        str | None,
        Query(description='JSON object of column to indicator code, e.g. {"IMD Rank": "imd_rank"}'),
    ] = None,
    skip_outside: Annotated[
        bool, Query(description="Skip rows for areas outside the city (counted), not errors")
    ] = False,
) -> None:
    """The options' query parameters, for the OpenAPI document: they are read with a
    form's fields by :func:`app.uploads.options.parse_options`."""


OptionsQuery = Annotated[None, Depends(_options_query)]


async def _receive_with_options(
    request: Request, settings: Settings
) -> tuple[UploadSource, UploadOptions]:
    """The upload (raw body or a form's file) and its options (form fields over the
    query); the spooled file is closed when the options are refused."""
    upload, fields = await receive_any(request, settings.max_upload_bytes)
    try:
        return upload, parse_options(fields)
    except Exception:
        upload.data.close()
        raise


@router.post(
    "/observations",
    status_code=200,
    response_model=ObservationUploadOut,
    responses=UPLOAD,
    openapi_extra=bodies.OBSERVATIONS,
)
async def post_observations(
    request: Request,
    session: SessionDep,
    viewer: AnalystDep,
    settings: SettingsDep,
    analysis: AnalysisDep,
    _options: OptionsQuery,
) -> dict[str, Any]:
    """Upload values (CSV long, wide or mapped layout, an Excel workbook's sheet, or
    JSON), as a raw body or a multipart form: all or nothing."""
    upload, options = await _receive_with_options(request, settings)

    def run() -> UploadResult:
        result = upload_observations(
            session, viewer, upload, options=options, limits=upload_limits(settings)
        )
        if result.changed:
            analysis.after_change(result.batch_id, viewer.actor)
        return result

    result = await _in_thread(upload, run)
    return {
        "batch": result.batch_id,
        "changed": result.changed,
        "rows": result.rows,
        "inserted": result.inserted,
        "revised": result.revised,
        "unchanged": result.unchanged,
        "skipped_outside": result.skipped_outside,
        "notes": result.notes,
        "message": result.message,
    }


@router.post(
    "/observations/preview",
    response_model=ObservationPreviewOut,
    responses=UPLOAD,
    openapi_extra=bodies.PREVIEW,
)
async def preview_observations(
    request: Request,
    session: SessionDep,
    viewer: AnalystDep,
    settings: SettingsDep,
    _options: OptionsQuery,
) -> Any:
    """A CSV or workbook's sheets, columns, first rows and row count, with suggested
    mappings of its columns to the indicators the uploader may write, and to the area
    code and period: what the upload page shows before the upload. Nothing is stored."""
    upload, options = await _receive_with_options(request, settings)
    return await _in_thread(
        upload,
        lambda: preview.preview_observations(
            session, viewer, upload, options, upload_limits(settings)
        ),
    )


@router.post(
    "/events", response_model=EventUploadOut, responses=UPLOAD, openapi_extra=bodies.EVENTS
)
async def post_events(
    request: Request,
    session: SessionDep,
    viewer: AnalystDep,
    settings: SettingsDep,
    analysis: AnalysisDep,
) -> dict[str, Any]:
    """Upload point events (a police.uk street-level CSV as downloaded, gzipped or not; a
    CSV with longitude/latitude or easting/northing, category and date; GeoJSON points).
    They are counted per area and month into the indicators whose event categories match.
    """
    upload = await receive_upload(request, settings.max_upload_bytes)

    def run() -> event_uploads.EventUploadResult:
        result = event_uploads.upload_events(session, viewer, upload, upload_limits(settings))
        analysis.after_change(result.batch_id, viewer.actor)
        return result

    return (await _in_thread(upload, run)).as_json()


@router.post(
    "/events/recount",
    response_model=EventUploadOut,
    responses={**PARTNER, **problems(404, 409)},
)
def recount_events(
    session: SessionDep, viewer: AnalystDep, analysis: AnalysisDep, agency: str | None = None
) -> dict[str, Any]:
    """Count the agency's kept events again into the newest boundaries (for example after
    a new boundary vintage is imported). Administrators name the agency."""
    name = agency or viewer.agency
    if name is None:
        raise InvalidParameterError("Name the agency whose events to recount (?agency=)")
    result = event_uploads.recount_events(session, viewer, name)
    analysis.after_change(result.batch_id, viewer.actor)
    return result.as_json()


@router.get("/batches", response_model=list[BatchOut], responses=PARTNER)
def list_batches(
    session: SessionDep,
    viewer: AnalystDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Uploads, newest first: an agency's own, or everyone's for administrators."""
    return batches.list_batches(session, viewer, limit)


@router.get("/batches/{batch_id}", response_model=BatchOut, responses={**PARTNER, **NOT_FOUND})
def get_batch(batch_id: BatchId, session: SessionDep, viewer: AnalystDep) -> dict[str, Any]:
    return batches.batch_out(batches.get_batch(session, viewer, batch_id))


@router.post(
    "/batches/{batch_id}/revert",
    response_model=BatchOut,
    responses={**PARTNER, **problems(404, 409)},
)
def revert_batch(
    batch_id: BatchId, session: SessionDep, viewer: AnalystDep, analysis: AnalysisDep
) -> dict[str, Any]:
    """Withdraw a batch's values and restore those it replaced (recorded as a new batch)."""
    revert = batches.revert_batch(session, viewer, batch_id)
    analysis.after_change(revert["id"], viewer.actor)
    return revert
