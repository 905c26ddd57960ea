"""Response models for the catalogue."""

from __future__ import annotations

from pydantic import BaseModel


class IndicatorOut(BaseModel):
    code: str
    title: str
    definition: str
    agency: str
    topic: str
    value_type: str
    multiplier: int
    unit: str
    polarity: str
    period_type: str
    source: str
    licence: str
    area_types: list[str]
    disclosure_threshold: int | None
    visibility: str
    numerator: str | None
    denominator: str | None
    event_categories: list[str]


class CatalogueImportOut(BaseModel):
    created: list[str]
    updated: list[str]
    new_agencies: list[str]
