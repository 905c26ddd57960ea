"""Request and response models of the agency routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from app.contracts import Contract


class AgencyIn(BaseModel):
    name: str
    title: str | None = None


class AgencyOut(Contract):
    name: str
    title: str | None


class AgencyListed(Contract):
    name: str
    title: str | None
    created_at: datetime
    indicators: int
    active_keys: int
