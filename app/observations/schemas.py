"""Response model of the observations route (JSON; the CSV has the same columns)."""

from __future__ import annotations

from pydantic import Field

from app.contracts import Contract
from app.indicators.indicator import Indicator


class ObservationOut(Contract):
    area_code: str
    area_name: str
    area_type: str
    period: str
    value: float | None
    numerator: float | None
    denominator: float | None
    suppressed: bool
    derived_from: str | None = Field(
        description="where a value not stored for the area comes from: a finer type it is "
        "summed from, 'numerator/denominator', 'lsoa (estimated)' for a value carried to a "
        "type the LSOAs do not nest in, 'lsoa 2011 (converted)' across a boundary change"
    )
    fit: float | None = Field(
        description="for an estimated or converted value, its degree of fit: the share of "
        "the area's population covered by whole source areas (1 = exact); null otherwise"
    )
    low_fit: bool = Field(description="the fit is below 0.8: a rough estimate")


class ObservationsOut(Contract):
    indicator: Indicator
    type: str
    notes: list[str]
    marking: str | None = Field(
        description="Partners only — not for publication, when the viewer sees what the "
        "public does not (the CSV then has a first column marking); null otherwise"
    )
    observations: list[ObservationOut]
