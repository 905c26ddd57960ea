"""What the demo takes and gives: its areas, the values it makes and the stories it plants."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

DEMO_LABEL = "DEMO data, generated"

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DemoArea:
    """An area of the demo city (an LSOA): its code, name and area in km²."""

    code: str
    name: str
    area_km2: float


@dataclass(frozen=True, slots=True)
class DemoObservation:
    """One value of one indicator for one area and period.

    ``numerator`` and ``denominator`` are given for percentages, rates and means over a
    cohort, such that ``value == numerator / denominator * multiplier``; None otherwise.
    """

    indicator: str
    area_code: str
    period: str
    value: float
    numerator: float | None
    denominator: float | None


@dataclass(frozen=True)
class DemoStory:
    """A change planted in the demo data for the alerting to find.

    ``start_period`` is the first month the change shows: a step there (yearly figures
    show it from the first year that begins after), or, for a gradual story, a steady rise
    from there to the end. The indicators' rates (e.g. ``criminal_damage_arson_rate``) and
    the totals that count them (``all_crime``) follow.
    """

    area_code: str
    indicators: tuple[str, ...]
    start_period: str
    description: str
