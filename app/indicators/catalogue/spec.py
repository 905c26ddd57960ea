"""What a catalogue holds: :class:`IndicatorSpec`, its enumerations and its fields."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum

from app.indicators.periods import PeriodType


class ValueType(StrEnum):
    COUNT = "count"
    RATE = "rate"
    PERCENTAGE = "percentage"
    MEAN = "mean"
    SCORE = "score"


class Polarity(StrEnum):
    HIGHER_IS_WORSE = "higher_is_worse"
    HIGHER_IS_BETTER = "higher_is_better"
    NO_JUDGEMENT = "no_judgement"


class Visibility(StrEnum):
    PUBLIC = "public"
    PARTNERS = "partners"


@dataclass(frozen=True)
class IndicatorSpec:
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
        Count, rate, percentage, mean or score.
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


FIELDS: tuple[str, ...] = tuple(f.name for f in fields(IndicatorSpec))
OPTIONAL_FIELDS = frozenset(
    {"disclosure_threshold", "numerator", "denominator", "event_categories"}
)
REQUIRED_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f not in OPTIONAL_FIELDS)
LIST_SEPARATOR = ";"
