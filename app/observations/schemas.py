"""Response model of the observations route (JSON; the CSV has the same columns)."""

from __future__ import annotations

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
    observations: list[ObservationOut]
