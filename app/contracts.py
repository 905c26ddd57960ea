"""What every response model shares: they declare every field (an undeclared one is an
error, caught by the tests), and the GeoJSON documents that several routes return."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    """A response body: every field declared, none more."""

    model_config = ConfigDict(extra="forbid")


class Link(Contract):
    href: str
    rel: str
    type: str | None = None
    title: str | None = None


class Feature(BaseModel):
    """An RFC 7946 Feature; its properties depend on the layer."""

    model_config = ConfigDict(extra="forbid")

    type: str
    id: str | int | None = None
    geometry: dict[str, Any] | None
    properties: dict[str, Any]


class FeatureCollection(BaseModel):
    """An RFC 7946 FeatureCollection; members beside ``features`` (a map's ``legend``,
    OGC paging) are declared by the models built on it."""

    model_config = ConfigDict(extra="allow")

    type: str
    features: list[Feature]
