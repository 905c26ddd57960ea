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
    notes: list[str]
    message: str


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
