"""Compare areas: every area of a type for one indicator and period, with its value and
95% interval, for a sortable bar chart. Made of exactly what the map shows the viewer
(the same read of values, the same suppression and partners-only rules, the map
legend's city value), so no bar says more than the map does; intervals are worked out
as the profile's (:func:`app.analysis.profile_grid.intervals`) from the counts the viewer
sees."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from app.access.viewer import Viewer
from app.analysis.profile_grid import intervals
from app.analysis.rounding import rounded
from app.contracts import Contract
from app.indicators.indicator import Indicator
from app.indicators.schemas import IndicatorSummary
from app.indicators.service import visible_indicator
from app.maps.schemas import CityValue
from app.maps.service import MapRequest, map_values
from app.observations.query import ObservationQuery, indicator_values


def compare_areas(
    session: Session, viewer: Viewer, code: str, type_code: str | None, period: str | None
) -> dict[str, Any]:
    """Every area's value of ``code`` at ``type_code`` in ``period`` (the newest by
    default), highest first (areas without a value, then suppressed ones, last)."""
    indicator = visible_indicator(session, viewer, code)
    # The map's read: its checks of type and period, its audit and its legend.
    legend = map_values(session, viewer, MapRequest(code, type_code, period), indicator)["legend"]
    shown = legend["period"]
    rows: list[dict[str, Any]] = []
    if shown is not None:
        query = ObservationQuery(code, legend["area_type"], period=shown)
        rows = indicator_values(session, viewer, indicator, query).observations

    def column(name: str) -> np.ndarray[Any, np.dtype[np.float64]]:
        return np.array([np.nan if r[name] is None else r[name] for r in rows], dtype=float)

    value = column("value")
    low, high = intervals(indicator, value, column("numerator"), column("denominator"))
    areas = [
        {
            "code": r["area_code"],
            "name": r["area_name"],
            "value": None if r["suppressed"] else r["value"],
            "low": None if r["suppressed"] or np.isnan(low[i]) else rounded(low[i]),
            "high": None if r["suppressed"] or np.isnan(high[i]) else rounded(high[i]),
            "suppressed": bool(r["suppressed"]),
            "fit": r["fit"],
        }
        for i, r in enumerate(rows)
    ]
    areas.sort(key=lambda a: (a["suppressed"], a["value"] is None, -(a["value"] or 0.0)))
    return {
        "indicator": legend["indicator"],
        "area_type": legend["area_type"],
        "period": shown,
        "periods": legend["periods"],
        "unit": indicator.unit,
        "city": legend["city"],
        "marking": legend["marking"],
        "notes": legend["notes"],
        "interval": _method(indicator),
        "areas": areas,
    }


def _method(indicator: Indicator) -> str | None:
    """How the intervals are made (None: the values have no counts behind them)."""
    if indicator.kind.counted:
        return "95%, Poisson (exact below 10 events, Byar from 10)"
    if indicator.kind.discloses == "denominator":
        return None
    if indicator.kind.measure == "proportion":
        return "95%, Wilson score"
    return "95%, Poisson count over the denominator (exact below 10, Byar from 10)"


class ComparedArea(Contract):
    code: str
    name: str
    value: float | None
    low: float | None  # the 95% interval; null without counts or when suppressed
    high: float | None
    suppressed: bool
    fit: float | None  # an estimated value's fit (see the map)


class CompareOut(Contract):
    """Every area of a type for one indicator and period, highest first."""

    indicator: IndicatorSummary
    area_type: str
    period: str | None
    periods: list[str]
    unit: str
    city: CityValue | None  # the map legend's: the city as a whole, or the typical area
    marking: str | None
    notes: list[str]
    interval: str | None  # how the intervals are made; null: values without counts
    areas: list[ComparedArea]
