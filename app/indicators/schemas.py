"""Response models of the catalogue beside :class:`~app.indicators.indicator.Indicator`
itself (which the catalogue routes return as it is)."""

from __future__ import annotations

from app.contracts import Contract


class IndicatorSummary(Contract):
    """What a map's legend or a profile says of its indicator
    (:meth:`Indicator.summary <app.indicators.indicator.Indicator.summary>`)."""

    code: str
    title: str
    agency: str
    topic: str
    value_type: str
    unit: str
    polarity: str
    period_type: str
