"""Choropleth classes and colours: mapclassify's schemes, oriented by polarity."""

from __future__ import annotations

import numpy as np
import pytest

from app.maps.classify import (
    BLUES,
    YL_OR_RD,
    ClassificationError,
    classify,
    palette,
)


def test_quantiles_put_equal_numbers_in_each_class() -> None:
    values = np.arange(1.0, 21.0)  # 20 values, 5 classes of 4
    result = classify(values, "quantiles", 5, "higher_is_worse")
    assert result.counts == [4, 4, 4, 4, 4]
    assert result.upper[-1] == 20.0
    assert result.lower[0] == 1.0
    # Each value's class holds it: lower <= value <= upper.
    for value, cls in zip(values, result.classes, strict=True):
        assert result.lower[cls] <= value <= result.upper[cls]


def test_equal_interval_splits_the_range_evenly() -> None:
    result = classify([0.0, 10.0, 20.0, 30.0, 40.0], "equal_interval", 4, "higher_is_worse")
    assert result.upper == pytest.approx([10.0, 20.0, 30.0, 40.0])


def test_fisher_jenks_finds_natural_breaks() -> None:
    values = [1.0, 1.1, 1.2, 5.0, 5.1, 5.2, 9.0, 9.1, 9.2]
    result = classify(values, "fisher_jenks", 3, "higher_is_worse")
    assert result.classes.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_missing_values_have_no_class() -> None:
    result = classify([1.0, np.nan, 3.0, 4.0], "quantiles", 3, "higher_is_worse")
    assert result.classes[1] == -1
    assert sum(result.counts) == 3


def test_worse_is_darker_whatever_the_polarity() -> None:
    worse_high, _ = palette("higher_is_worse", 5)
    worse_low, _ = palette("higher_is_better", 5)
    assert worse_high[0] == YL_OR_RD[0]  # lowest class lightest
    assert worse_high[-1] == YL_OR_RD[-1]
    assert worse_low[0] == YL_OR_RD[-1]  # lowest class darkest: low is worse
    neutral, description = palette("no_judgement", 3)
    assert neutral == [BLUES[0], BLUES[4], BLUES[8]]
    assert "darker is higher" in description


def test_bad_schemes_and_class_counts_are_refused() -> None:
    with pytest.raises(ClassificationError, match="scheme"):
        classify([1.0, 2.0], "jenks", 5, "higher_is_worse")
    with pytest.raises(ClassificationError, match="classes"):
        classify([1.0, 2.0], "quantiles", 12, "higher_is_worse")


def test_fewer_distinct_values_than_classes_give_fewer_classes() -> None:
    result = classify([2.0, 2.0, 5.0, 5.0], "quantiles", 5, "higher_is_worse")
    assert len(result.colours) == len(result.counts) == 2
