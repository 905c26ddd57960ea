"""The value-type table: what each type of value is, as every part of NIS reads it."""

from __future__ import annotations

import pytest

from app.indicators.value_types import DemoShape, ValueType, value_kind


@pytest.mark.parametrize("value_type", list(ValueType))
def test_every_value_type_has_its_entry(value_type: ValueType) -> None:
    kind = value_kind(value_type)
    assert kind.measure in ("rate", "proportion")
    assert kind.count_model in ("poisson", "binomial")
    assert kind.demo in set(DemoShape)


def test_counts_are_whole_sum_up_and_compare_per_1000_residents() -> None:
    kind = value_kind(ValueType.COUNT)
    assert (kind.counted, kind.whole, kind.negative, kind.multiplier) == (True, True, False, 1)
    assert kind.scale(1) == 1000.0
    assert kind.rate_unit("crimes") == " per 1,000 residents"


def test_percentages_are_proportions_of_at_most_100() -> None:
    kind = value_kind(ValueType.PERCENTAGE)
    assert (kind.maximum, kind.multiplier, kind.measure) == (100.0, 100, "proportion")
    assert (kind.count_model, kind.change_unit, kind.rate_unit("%")) == ("binomial", "points", "%")
    assert kind.scale(100) == 100.0


def test_rates_need_a_denominator_and_compare_on_their_own_scale() -> None:
    kind = value_kind(ValueType.RATE)
    assert kind.needs_denominator
    assert not kind.counted
    assert kind.scale(1000) == 1000.0
    assert kind.rate_unit("per 1,000 residents") == " per 1,000 residents"
    assert kind.demo is DemoShape.RATES


@pytest.mark.parametrize("value_type", [ValueType.MEAN, ValueType.SCORE])
def test_means_and_scores_may_be_negative_and_are_typified_by_the_median(
    value_type: ValueType,
) -> None:
    kind = value_kind(value_type)
    assert kind.negative
    assert not kind.counted
    assert (kind.typical, kind.demo) == ("median", DemoShape.MEANS)
