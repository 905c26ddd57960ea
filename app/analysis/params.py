"""What an analysis run is asked to do, with the defaults a partnership would start from."""

from __future__ import annotations

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

    ``q`` is the false discovery rate for every family of tests in the run;
    ``deprivation_groups`` is 5 (quintiles) or 10 (deciles) for the gap; ``area_type``
    None means the finest area type that has values.
    """

    area_type: str | None = None
    q: float = 0.05
    deprivation_groups: int = 5
    permutations: int = 999
    min_expected: float = 10.0
    seed: int = 2019

    def __post_init__(self) -> None:
        if not 0 < self.q < 1:
            raise InvalidParameterError("q must be between 0 and 1")
        if self.deprivation_groups not in (5, 10):
            raise InvalidParameterError("deprivation_groups must be 5 (quintiles) or 10")
        if not 0 <= self.permutations <= 9999:
            raise InvalidParameterError("permutations must be between 0 and 9999")
        if self.min_expected < 0:
            raise InvalidParameterError("min_expected must not be negative")

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def analysis_params(settings: Settings) -> AnalysisParams:
    """The parameters of runs made after uploads, from the instance's settings."""
    return AnalysisParams(area_type=settings.analysis_area_type, q=settings.analysis_q)
