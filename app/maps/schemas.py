"""Response models of the choropleth routes: the legend, each area's properties, and
the map as GeoJSON or as values alone. The routes send bytes encoded by orjson (a
nation's values in 40 ms); the models document them and the tests hold them to it."""

from __future__ import annotations

from pydantic import Field

from app.contracts import Contract, Feature, FeatureCollection
from app.indicators.schemas import IndicatorSummary


class LegendClass(Contract):
    class_: int = Field(alias="class")
    lower: float
    upper: float
    colour: str
    count: int
    least: float | None = Field(
        default=None,
        description="the smallest value in the class (null when it is empty): a legend "
        "reading least to upper has no two classes overlap (lower is the break below)",
    )
    label: str | None = Field(
        default=None,
        description='a category\'s name ("1 (most deprived)") when the legend is '
        "categorical; null for a range, which the reader writes from lower and upper",
    )


class Uncoloured(Contract):
    """Areas drawn without a class colour, and why."""

    colour: str
    count: int
    why: str


class CityValue(Contract):
    value: float
    what: str


class Legend(Contract):
    indicator: IndicatorSummary
    area_type: str
    period: str | None
    periods: list[str]
    city: CityValue | None
    scheme: str
    palette: str
    categorical: bool = Field(
        default=False,
        description='one class per band (deciles, quintiles: scheme "categories", '
        "lower = upper = the band, whatever scheme or classes were asked for)",
    )
    classes: list[LegendClass]
    classification_note: str | None = Field(
        default=None,
        description="why the classes are not the ones asked for: natural breaks where "
        "quantiles would tie (small counts), fewer classes where one would be empty",
    )
    suppressed: Uncoloured
    no_data: Uncoloured
    notes: list[str]
    marking: str | None = Field(
        description="Partners only — not for publication, when the viewer sees what the "
        "public does not; null otherwise"
    )
    estimated: str | None = Field(
        default=None,
        description="for values estimated from smaller areas (a type they do not nest in, "
        "or across a boundary change): from what, and how well they fit",
    )


class AreaOnMap(Contract):
    """An area's value on the map; ``status`` is data, suppressed or no data."""

    value: float | None
    class_: int | None = Field(alias="class")
    status: str
    colour: str
    period: str | None
    fit: float | None = Field(
        default=None,
        description="for an estimated value, the share of the area's population in whole "
        "source areas (1 = exact)",
    )


class MapValues(Contract):
    """The map without geometries: the legend, and the properties of each area with a
    value or a suppressed one, by code (the rest have ``legend.no_data``)."""

    legend: Legend
    areas: dict[str, AreaOnMap]


class MapCollection(FeatureCollection):
    """The map as GeoJSON: each feature's properties are its ``code``, ``name``,
    ``type`` and :class:`AreaOnMap`'s; ``marking`` is the legend's."""

    marking: str | None
    legend: Legend
    features: list[Feature]


class ConfigOut(Contract):
    tile_url: str | None
    tile_attribution: str
    map_tiles_above: int
    partnership_name: str | None
    demo: bool = Field(description="The data include the demo's generated values")
    demo_notice: str | None = Field(
        description="What to show beside the DEMO mark where ``demo`` (else null)",
        examples=["Demonstration data: generated, not real figures."],
    )
