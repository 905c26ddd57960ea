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
    derived_from: str | None


class ObservationsOut(Contract):
    indicator: Indicator
    type: str
    notes: list[str]
    marking: str | None = Field(
        description="Partners only — not for publication, when the viewer sees what the "
        "public does not (the CSV then has a first column marking); null otherwise"
    )
    observations: list[ObservationOut]
