"""Response models of the upload and batch routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.contracts import Contract


class ObservationUploadOut(Contract):
    batch: int | None
    changed: bool
    rows: int
    inserted: int
    revised: int
    unchanged: int
    skipped_outside: int  # rows for areas outside the city, skipped as asked
    notes: list[str]
    message: str


class PreviewSuggestionsOut(Contract):
    area_column: str | None
    period_column: str | None
    period: str | None  # one period for the whole file, when its name says one
    mapping: dict[str, str]  # column heading -> indicator code


class PreviewIndicatorOut(Contract):
    code: str
    title: str
    agency: str
    period_type: str
    area_types: list[str]


class ObservationPreviewOut(Contract):
    """A file's columns and first rows, and the suggested mapping; nothing is stored."""

    filename: str | None
    format: str  # csv | xlsx
    sheets: list[str]
    sheet: str | None
    header_row: int
    columns: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    row_count: int
    suggestions: PreviewSuggestionsOut
    indicators: list[PreviewIndicatorOut]  # those the uploader may write


class EventUploadOut(Contract):
    batch: int | None
    format: str
    rows: int
    no_location: int
    outside_every_area: int
    unknown_categories: dict[str, int]
    months: list[str]
    inserted: int
    revised: int
    unchanged: int
    notes: list[str]
    message: str


class BatchOut(Contract):
    """One upload (or revert, recount, demo load) and what it changed."""

    id: int
    kind: str
    agency: str | None
    actor: str
    filename: str | None
    content_type: str | None
    sha256: str | None
    rows: int
    inserted: int
    revised: int
    unchanged: int
    created_at: datetime
    reverted_at: datetime | None
    reverted_by: int | None
    report: dict[str, Any]


class CatalogueImportOut(Contract):
    created: list[str]
    updated: list[str]
    new_agencies: list[str]
