"""The periods the demo gives each indicator, and their canonical labels."""

from __future__ import annotations

from dataclasses import dataclass

from app.indicators.indicator import Indicator
from app.indicators.periods import PeriodType


def demo_periods(spec: Indicator, *, first_year: int = 2021, last_year: int = 2023) -> list[str]:
    """The periods :func:`demo_observations` gives an indicator, in time order.

    Parameters
    ----------
    spec : Indicator
    first_year, last_year : int

    Returns
    -------
    list of str
        Canonical labels: "2021-03" (month), "2021-Q1", "2021", "2021/22" (financial and
        academic years); "2019" alone for IMD indicators.
    """
    return [p.label for p in _periods(spec, first_year, last_year)]


@dataclass(frozen=True)
class _Period:
    label: str
    start: int  # months since the start of year 0: year * 12 + month - 1
    months: int

    @property
    def year(self) -> int:
        """The calendar year it starts in (whose mid-year population it is divided by)."""
        return self.start // 12


# The IMD is one edition, not a series: published for 2019 and not again until 2025.
_IMD_CODES = frozenset({"imd_score", "imd_rank", "imd_decile", "imd_crime_score"})
_IMD_PERIOD = _Period("2019", 2019 * 12, 12)
_YEAR_START_MONTH = {
    PeriodType.CALENDAR_YEAR: 0,
    PeriodType.FINANCIAL_YEAR: 3,  # April
    PeriodType.ACADEMIC_YEAR: 8,  # September
}


def _periods(spec: Indicator, first_year: int, last_year: int) -> tuple[_Period, ...]:
    if spec.code in _IMD_CODES:
        return (_IMD_PERIOD,)
    years = range(first_year, last_year + 1)
    if spec.period_type is PeriodType.MONTH:
        return tuple(
            _Period(_month_label(y * 12 + m), y * 12 + m, 1) for y in years for m in range(12)
        )
    if spec.period_type is PeriodType.QUARTER:
        return tuple(_Period(f"{y}-Q{q + 1}", y * 12 + 3 * q, 3) for y in years for q in range(4))
    offset = _YEAR_START_MONTH[PeriodType(spec.period_type)]
    if offset == 0:
        return tuple(_Period(str(y), y * 12, 12) for y in years)
    return tuple(_Period(f"{y}/{(y + 1) % 100:02d}", y * 12 + offset, 12) for y in years)


def _month_label(month_index: int) -> str:
    return f"{month_index // 12}-{month_index % 12 + 1:02d}"
