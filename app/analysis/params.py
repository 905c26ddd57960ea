"""What an analysis run is asked to do, with the defaults a partnership would start from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from app.errors import InvalidParameterError
from app.indicators.periods import PeriodType
from app.settings import Settings

# Recent window, longest baseline and shortest usable baseline, in periods of each period
# type: the last year against up to three before it (pooling more months found more
# planted changes with no more false alarms in bench/bench_alerts.py), but at least one.
WINDOWS: dict[PeriodType, tuple[int, int, int]] = {
    PeriodType.MONTH: (12, 36, 12),
    PeriodType.QUARTER: (4, 12, 4),
    PeriodType.CALENDAR_YEAR: (1, 3, 1),
    PeriodType.FINANCIAL_YEAR: (1, 3, 1),
    PeriodType.ACADEMIC_YEAR: (1, 3, 1),
}


@dataclass(frozen=True)
class AnalysisParams:
    """Parameters recorded with each run.

    ``area_types`` are the area types the run analyses, each on its own (empty: the
    automatic choice, :func:`default_area_types`); ``q`` is the false discovery rate of
    every family of tests, and each area type is a family of its own;
    ``deprivation_groups`` is 5 (quintiles) or 10 (deciles) for the gap.
    """

    area_types: tuple[str, ...] = ()
    q: float = 0.05
    deprivation_groups: int = 5
    permutations: int = 999
    min_expected: float = 10.0
    seed: int = 2019

    def __post_init__(self) -> None:
        object.__setattr__(self, "area_types", tuple(dict.fromkeys(self.area_types)))
        if any(not t.strip() for t in self.area_types):
            raise InvalidParameterError("area types must not be empty")
        if not 0 < self.q < 1:
            raise InvalidParameterError("q must be between 0 and 1")
        if self.deprivation_groups not in (5, 10):
            raise InvalidParameterError("deprivation_groups must be 5 (quintiles) or 10")
        if not 0 <= self.permutations <= 9999:
            raise InvalidParameterError("permutations must be between 0 and 9999")
        if self.min_expected < 0:
            raise InvalidParameterError("min_expected must not be negative")

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["area_types"] = list(self.area_types)
        return out


def analysis_params(settings: Settings) -> AnalysisParams:
    """The parameters of runs made after uploads, from the instance's settings."""
    return AnalysisParams(area_types=tuple(settings.analysis_area_types), q=settings.analysis_q)


# The types most partners recognise, best first: council wards, then neighbourhoods (as a
# partnership draws them), then MSOAs (about five LSOAs each: pooling their events finds
# more real changes than LSOAs alone).
RECOGNISED_TYPES = ("ward", "neighbourhood", "msoa")


def default_area_types(area_counts: Mapping[str, int]) -> tuple[str, ...]:
    """The area types a run analyses when none are configured, from the number of areas
    of each type (in its newest vintage).

    The finest type (the most areas: LSOAs, where they are loaded) and the largest type
    that most partners recognise: the first of :data:`RECOGNISED_TYPES` that has more
    than one area (a city-wide type of one area has nothing to compare) and is not the
    finest type itself. A city with neither gets the finest type alone; one with no
    areas, nothing.

    >>> default_area_types({"lsoa": 345, "msoa": 70, "city": 1})
    ('lsoa', 'msoa')
    >>> default_area_types({"lsoa": 345, "msoa": 70, "ward": 28, "lac": 7})
    ('lsoa', 'ward')
    >>> default_area_types({"lsoa": 345, "city": 1})
    ('lsoa',)
    """
    populated = {code: n for code, n in area_counts.items() if n > 0}
    if not populated:
        return ()
    finest = max(populated, key=lambda code: (populated[code], code))
    recognised = next(
        (t for t in RECOGNISED_TYPES if t != finest and populated.get(t, 0) > 1), None
    )
    return (finest,) if recognised is None else (finest, recognised)
