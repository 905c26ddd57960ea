"""What each type of value is, and how it behaves everywhere it is used.

The catalogue gives each indicator a value type. Everything that depends on it asks
:func:`value_kind` for the type's :class:`ValueKind` instead of comparing the type's
name: checking an upload, summing up the area hierarchy, suppressing small numbers,
comparing an area with the city, testing for deterioration, wording an alert and
generating demo values. Adding a value type is a new member of :class:`ValueType` and
its entry in :func:`value_kind` (mypy refuses a member without one).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, assert_never

Measure = Literal["rate", "proportion"]
CountModel = Literal["poisson", "binomial"]


class ValueType(StrEnum):
    COUNT = "count"
    RATE = "rate"
    PERCENTAGE = "percentage"
    MEAN = "mean"
    SCORE = "score"


class DemoShape(StrEnum):
    """How the demo generates values of a type (see :mod:`app.demo_indicators`)."""

    COUNTS = "counts"  # overdispersed counts of events or people
    RATES = "rates"  # a count divided by a denominator, times the multiplier
    SHARES = "shares"  # a proportion of a cohort
    MEANS = "means"  # a mean or score in its own units


@dataclass(frozen=True)
class ValueKind:
    """How values of one type behave.

    Attributes
    ----------
    counted : bool
        The values are counts themselves: they sum up the area hierarchy, the disclosure
        threshold applies to the value, events are counted into them, numerators and
        denominators refer to them, and they are compared with the city per 1,000
        residents. Otherwise the count behind a value is its numerator.
    negative : bool
        Values may be below zero (an index, a change).
    whole : bool
        Values are whole numbers.
    maximum : float or None
        The largest value possible (100 for a percentage).
    multiplier : int or None
        The only multiplier the catalogue allows (1 for counts, 100 for percentages).
    needs_denominator : bool
        The catalogue must name the denominator it is computed from.
    measure : {"rate", "proportion"}
        How the counts behind a value are compared: as a rate (Byar, exact Poisson) or
        as a proportion (Wilson; Fingertips' chi-squared test for trend).
    count_model : {"poisson", "binomial"}
        The counts' model in the gap between the most deprived areas and the rest.
    change_unit : str or None
        How a change is worded ("up 4.1 points" for a percentage); None: the unit.
    typical : {"mean", "median"}
        The city's value without counts to pool: the average area, or the median one.
    discloses : {"value", "numerator", "denominator"}
        The count a value discloses, which its disclosure threshold applies to: the
        value of a count, the numerator of a rate or a percentage (the people counted),
        the denominator of a mean (the people averaged over).
    demo : DemoShape
        How the demo generates values.
    """

    counted: bool
    negative: bool
    whole: bool
    maximum: float | None
    multiplier: int | None
    needs_denominator: bool
    measure: Measure
    count_model: CountModel
    change_unit: str | None
    typical: Literal["mean", "median"]
    demo: DemoShape
    discloses: Literal["value", "numerator", "denominator"]

    def scale(self, multiplier: int | None) -> float:
        """The scale values are compared on: per 1,000 residents for counts, else the
        indicator's own (100 for percentages)."""
        return 1000.0 if self.counted else float(multiplier or 1)

    def rate_unit(self, unit: str | None) -> str:
        """What follows a number on that scale: ``"%"``, ``" per 1,000 residents"``."""
        if self.counted:
            return " per 1,000 residents"
        if self.measure == "proportion":
            return "%"
        return f" {unit or ''}".rstrip()


_COUNT = ValueKind(
    counted=True, negative=False, whole=True, maximum=None, multiplier=1,
    needs_denominator=False, measure="rate", count_model="poisson", change_unit=None,
    typical="mean", demo=DemoShape.COUNTS, discloses="value",
)  # fmt: skip
_RATE = ValueKind(
    counted=False, negative=False, whole=False, maximum=None, multiplier=None,
    needs_denominator=True, measure="rate", count_model="poisson", change_unit=None,
    typical="median", demo=DemoShape.RATES, discloses="numerator",
)  # fmt: skip
_PERCENTAGE = ValueKind(
    counted=False, negative=False, whole=False, maximum=100.0, multiplier=100,
    needs_denominator=False, measure="proportion", count_model="binomial",
    change_unit="points", typical="median", demo=DemoShape.SHARES, discloses="numerator",
)  # fmt: skip
_MEAN = ValueKind(
    counted=False, negative=True, whole=False, maximum=None, multiplier=None,
    needs_denominator=False, measure="rate", count_model="poisson", change_unit=None,
    typical="median", demo=DemoShape.MEANS, discloses="denominator",
)  # fmt: skip
_SCORE = _MEAN


def value_kind(value_type: ValueType) -> ValueKind:
    """How values of ``value_type`` behave."""
    match value_type:
        case ValueType.COUNT:
            return _COUNT
        case ValueType.RATE:
            return _RATE
        case ValueType.PERCENTAGE:
            return _PERCENTAGE
        case ValueType.MEAN:
            return _MEAN
        case ValueType.SCORE:
            return _SCORE
        case _:
            assert_never(value_type)
