"""Request and response models of custom areas."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.contracts import Contract


class CustomAreaIn(BaseModel):
    """A patch: its name, who may see it, and either the codes of the small areas
    (LSOAs) it is made of or a GeoJSON Polygon or MultiPolygon (longitude/latitude)."""

    name: str = Field(max_length=1000, examples=["Page Hall patch"])
    sharing: Literal["private", "partnership"] = "private"
    lsoas: list[str] | None = Field(
        default=None, max_length=20_000, examples=[["E01007321", "E01007322"]]
    )
    geometry: dict[str, Any] | None = Field(
        default=None, description="RFC 7946: a Polygon, MultiPolygon, or a Feature of one"
    )


class CustomAreaLinks(Contract):
    area: str
    profile: str
    map: str


class CustomAreaOut(Contract):
    code: str
    name: str
    type: str
    owner: str
    agency: str | None
    sharing: Literal["private", "partnership"]
    made_from: Literal["areas", "polygon"]
    created_at: datetime
    vintage: int
    area_km2: float
    small_areas: int
    fit: float | None
    links: CustomAreaLinks
