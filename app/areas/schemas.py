"""Response models for the OpenAPI document."""

from __future__ import annotations

from typing import Literal

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
    custom: bool = False  # an officer's custom area (the one area of its type)


class AreaNamesOut(BaseModel):
    type: str
    vintage: int
    names: dict[str, str]


class AreaHit(BaseModel):
    """An area found: its type (code and name), code, name and vintage, and what
    matched: its code, its name, or a postcode it holds."""

    type: str
    type_name: str
    code: str
    name: str
    vintage: int
    match: Literal["code", "name", "postcode"]


class PostcodeOut(BaseModel):
    """A postcode of the imported directory: its LSOAs and point (EPSG:4326)."""

    postcode: str
    lsoa11: str | None
    lsoa21: str | None
    longitude: float | None
    latitude: float | None


class AreaSearchOut(BaseModel):
    """What a search found: ``postcode`` when the text is a postcode of the directory
    (``hits`` are then the areas holding it), else the areas whose code or name hold the
    text, best first; no match is an empty ``hits``."""

    query: str
    postcode: PostcodeOut | None
    hits: list[AreaHit]
