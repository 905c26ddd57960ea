"""Response models for the OpenAPI document."""

from __future__ import annotations

from pydantic import BaseModel


class VintageCount(BaseModel):
    vintage: int
    count: int
    sources: list[str]


class AreaTypeOut(BaseModel):
    code: str
    name: str
    parent: str | None
    children: list[str]
    description: str | None
    vintages: list[VintageCount]


class AreaNamesOut(BaseModel):
    type: str
    vintage: int
    names: dict[str, str]
