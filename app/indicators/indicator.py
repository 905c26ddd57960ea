"""An indicator of the catalogue, read once into a typed, frozen object.

:class:`Indicator`'s fields are the catalogue's columns, declared here once: the
catalogue format reads and writes them (:mod:`.catalogue`), the table is built from them
(:mod:`.models`), the repository selects them, and the API returns them as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import RowMapping

from app.access.policy import Visibility
from app.indicators.periods import Period, PeriodType
from app.indicators.schemas import IndicatorSummary
from app.indicators.value_types import ValueKind, ValueType, value_kind

# The first year of periods an indicator takes unless the catalogue says otherwise
# (the last is the year after the current one).
DEFAULT_EARLIEST_YEAR: Final = 1990
# The largest value an upload may give unless the value type or the catalogue says
# otherwise: no area has a billion of anything in one period.
DEFAULT_MAX_VALUE: Final = 1e9
# The largest a catalogue may allow: sums over every area and period stay exact to a
# unit in double precision, and far from overflowing (PostgreSQL refuses an infinite sum).
MAX_STORABLE_VALUE: Final = 1e15
# Units whose values are bands 1 to n (not quantities), by the unit's first word.
BANDS: Final = {"decile": 10, "quintile": 5, "quartile": 4}
_BAND_ENDS: Final = re.compile(r"\(\s*1\s*=\s*(?P<end>most|least)\s+(?P<what>[^)]+?)\s*\)", re.I)


class Apportionment(StrEnum):
    """How values are carried from the finest areas to a type they do not nest in
    (wards, neighbourhoods, custom patches): see :mod:`app.observations.carried`."""

    POPULATION = "population"  # shares of each small area's population
    BEST_FIT = "best_fit"  # each small area whole, to the area holding most of its people
    NONE = "none"  # not carried (ranks and deciles: they do not add up)


class Polarity(StrEnum):
    HIGHER_IS_WORSE = "higher_is_worse"
    HIGHER_IS_BETTER = "higher_is_better"
    NO_JUDGEMENT = "no_judgement"


@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalogue.

    Attributes
    ----------
    code : str
        Stable identifier, lower_snake_case, e.g. ``"criminal_damage_arson"``.
    title, definition : str
        What a reader sees: a short title and the precise definition.
    agency : str
        Code of the agency that supplies it: police, fire, transport, health, schools, council.
    topic : str
        Theme it is filed under, e.g. "crime and safety", "health", "deprivation".
    value_type : ValueType
        Count, rate, percentage, mean or score (see :mod:`.value_types`).
    multiplier : int
        1 for counts, 1000 for "rate per 1,000", 100 for percentages.
    unit : str
        For legends: "crimes", "per 1,000 residents", "%", "score".
    polarity : Polarity
        Whether a higher value is worse, better, or neither.
    period_type : PeriodType
        Month, quarter, calendar year, financial year or academic year.
    source, licence : str
        Where the figures come from and the terms they may be used under.
    area_types : tuple of str
        Area types the indicator is published for, e.g. ``("lsoa", "ward")``.
    disclosure_threshold : int or None
        Counts below it are suppressed in public outputs (for a rate or a percentage, the
        counts behind it); None when no threshold applies.
    visibility : Visibility
        Public, or partners only.
    numerator, denominator : str or None
        For a value computed from counts: the codes of the count indicators it divides,
        e.g. ``"burglary"`` and ``"population"``.
    event_categories : tuple of str
        Point-event categories counted into this (count) indicator, e.g.
        ``("Criminal damage and arson",)``.
    earliest_year, latest_year : int or None
        The years a period of its values may start in; None: from
        :data:`DEFAULT_EARLIEST_YEAR` (1990) to the year after the current one. An upload
        outside them is refused row by row (a 9999-12 or a 1800-01 is a typing error).
    max_value : float or None
        The largest value (in absolute terms) an upload may give; None: the value type's
        maximum (100 for a percentage), else :data:`DEFAULT_MAX_VALUE`. Never above
        :data:`MAX_STORABLE_VALUE`, so that no sum of values can overflow.
    apportionment : Apportionment or None
        How values are carried to area types the finest areas do not nest in; None:
        population-weighted apportionment. Ranks and deciles say ``none``.
    synonyms : tuple of str
        Other words officers use for it, which indicator search also matches, e.g.
        ``("truancy",)`` for persistent absence.
    """

    code: str
    title: str
    definition: str
    agency: str
    topic: str
    value_type: ValueType
    multiplier: int
    unit: str
    polarity: Polarity
    period_type: PeriodType
    source: str
    licence: str
    area_types: tuple[str, ...]
    disclosure_threshold: int | None
    visibility: Visibility
    numerator: str | None
    denominator: str | None
    event_categories: tuple[str, ...]
    earliest_year: int | None = None
    latest_year: int | None = None
    max_value: float | None = None
    apportionment: Apportionment | None = None
    synonyms: tuple[str, ...] = ()

    @property
    def kind(self) -> ValueKind:
        """How its values behave (:func:`.value_types.value_kind`)."""
        return value_kind(self.value_type)

    @property
    def bands(self) -> int | None:
        """How many bands its values are when they are bands rather than quantities (10
        for a decile, whose values are 1 to 10; 5 for a quintile), else None. Read from
        the unit's first word ("decile (1 = most deprived)")."""
        words = self.unit.lower().split()
        return BANDS.get(words[0]) if words else None

    def band_label(self, band: int) -> str:
        """A band as a legend names it: "1 (most deprived)", "2", ..., "10 (least
        deprived)", from the unit's "(1 = most deprived)"."""
        said = _BAND_ENDS.search(self.unit)
        if said is None or self.bands is None:
            return str(band)
        if band == 1:
            return f"1 ({said['end']} {said['what']})"
        if band == self.bands:
            other = "least" if said["end"].lower() == "most" else "most"
            return f"{band} ({other} {said['what']})"
        return str(band)

    @property
    def carried_by(self) -> Apportionment:
        """How its values are carried to a type the finest areas do not nest in."""
        return self.apportionment or Apportionment.POPULATION

    @property
    def derived(self) -> bool:
        """Whether it is computed from a numerator and a denominator in the catalogue."""
        return self.numerator is not None and self.denominator is not None

    def period_years(self, today: date) -> tuple[int, int]:
        """The first and last year a period of its values may start in."""
        earliest = DEFAULT_EARLIEST_YEAR if self.earliest_year is None else self.earliest_year
        latest = today.year + 1 if self.latest_year is None else self.latest_year
        return earliest, latest

    def period_problem(self, period: Period, today: date) -> str | None:
        """Why a period is outside the indicator's years (None when it is not)."""
        return self.year_problem(period.start.year, period.text, today)

    def year_problem(self, year: int, shown: str, today: date) -> str | None:
        """Why a period starting in ``year`` (written ``shown``) is outside the
        indicator's years (None when it is not)."""
        earliest, latest = self.period_years(today)
        if earliest <= year <= latest:
            return None
        where = "the catalogue's" if self.earliest_year or self.latest_year else "the default"
        return (
            f"{shown} is outside the years {self.code} takes ({where} {earliest} to "
            f"{latest}): check the period, or ask an administrator to set earliest_year or "
            "latest_year in the catalogue"
        )

    @property
    def value_ceiling(self) -> float:
        """The largest absolute value an upload may give (see ``max_value``)."""
        if self.max_value is not None:
            return self.max_value
        return self.kind.maximum if self.kind.maximum is not None else DEFAULT_MAX_VALUE

    def count_behind(
        self, value: float | None, numerator: float | None, denominator: float | None
    ) -> float | None:
        """The count a value discloses (:attr:`.ValueKind.discloses`)."""
        return {"value": value, "numerator": numerator, "denominator": denominator}[
            self.kind.discloses
        ]

    @classmethod
    def from_row(cls, row: Mapping[str, Any] | RowMapping) -> Indicator:
        """An indicator from a row holding the catalogue's columns."""
        return cls(**{name: _typed(name, row[name]) for name in FIELDS})

    def summary(self) -> dict[str, Any]:
        """What a map's legend or a profile says of the indicator (the fields of
        :class:`~app.indicators.schemas.IndicatorSummary`)."""
        return {name: getattr(self, name) for name in IndicatorSummary.model_fields}


FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Indicator))
"""The catalogue's columns, in order."""
OPTIONAL_FIELDS = frozenset(
    {
        "disclosure_threshold",
        "numerator",
        "denominator",
        "event_categories",
        "earliest_year",
        "latest_year",
        "max_value",
        "apportionment",
        "synonyms",
    }
)
LIST_FIELDS = frozenset({"area_types", "event_categories", "synonyms"})
_ENUMS: dict[str, type[StrEnum]] = {
    "value_type": ValueType,
    "polarity": Polarity,
    "period_type": PeriodType,
    "visibility": Visibility,
    "apportionment": Apportionment,
}


def _typed(name: str, value: Any) -> Any:
    if name in _ENUMS:
        return None if value is None else _ENUMS[name](value)
    if name in LIST_FIELDS:
        return tuple(value or ())
    return value
