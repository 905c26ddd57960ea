"""Response models of the OGC API - Features documents, downloads' layers and TileJSON."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.contracts import Contract, Feature, FeatureCollection, Link


class LandingPage(Contract):
    title: str
    description: str
    links: list[Link]


class Conformance(Contract):
    conformsTo: list[str]  # noqa: N815 (the OGC member's name)


class SpatialExtent(Contract):
    bbox: list[list[float]]
    crs: str


class Extent(Contract):
    spatial: SpatialExtent


class Collection(Contract):
    id: str
    title: str
    description: str
    itemType: str  # noqa: N815
    itemCount: int  # noqa: N815
    crs: list[str]
    storageCrs: str  # noqa: N815
    extent: Extent
    links: list[Link]


class Collections(Contract):
    links: list[Link]
    collections: list[Collection]


class JsonSchemaDocument(Contract):
    """A JSON Schema of a collection's features (``/schema``) or its queryables."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: str = Field(alias="$schema")
    id_: str = Field(alias="$id")
    type: str
    title: str
    properties: dict[str, dict[str, Any]]


class ItemsPage(FeatureCollection):
    numberMatched: int  # noqa: N815
    numberReturned: int  # noqa: N815
    timeStamp: str  # noqa: N815
    links: list[Link]
    marking: str | None = Field(
        default=None,
        description="Indicator layers: Partners only — not for publication, when the "
        "viewer sees what the public does not",
    )
    features: list[Feature]


class OpenApiDocument(BaseModel):
    """An OpenAPI 3.0 document (the OGC API's own)."""

    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


class VectorLayer(Contract):
    id: str
    fields: dict[str, str]
    minzoom: int
    maxzoom: int


class TileJson(Contract):
    tilejson: str
    name: str
    tiles: list[str]
    minzoom: int
    maxzoom: int
    bounds: list[float]
    vector_layers: list[VectorLayer]
