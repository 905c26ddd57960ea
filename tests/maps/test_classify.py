"""Choropleth classes and colours: mapclassify's schemes, oriented by polarity; ties in
quantiles, empty classes and bands (deciles)."""

from __future__ import annotations

import warnings

import mapclassify
import numpy as np
import pytest

from app.maps.classify import (
    BLUES,
    YL_OR_RD,
    ClassificationError,
    categories,
    classify,
    natural_breaks,
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


def _zero_inflated() -> np.ndarray:
    # A month's small counts in 345 areas: most have none, a few have several.
    rng = np.random.default_rng(7)
    return rng.poisson(0.8, 345).astype(float)


def test_tied_quantiles_give_natural_breaks_and_say_so() -> None:
    values = _zero_inflated()
    zeros = int(np.sum(values == 0))
    result = classify(values, "quantiles", 5, "higher_is_worse")
    assert result.scheme == "fisher_jenks"
    assert result.note is not None
    assert "natural breaks (Fisher-Jenks), not quantiles" in result.note
    assert f"{zeros} of 345 areas have 0" in result.note
    assert len(result.counts) == 5
    assert all(n > 0 for n in result.counts)  # no empty class
    assert result.counts[0] == zeros  # the areas with none are one class, not split


def test_no_class_is_empty_and_no_two_overlap() -> None:
    values = np.concatenate([_zero_inflated(), [40.0]])  # one outlier
    for scheme in ("quantiles", "fisher_jenks", "equal_interval"):
        result = classify(values, scheme, 5, "higher_is_worse")
        assert all(n > 0 for n in result.counts), scheme
        least = result.smallest(values)
        for c in range(1, len(result.counts)):
            previous_upper, this_least = result.upper[c - 1], least[c]
            assert this_least is not None, scheme
            assert this_least > previous_upper, scheme


def test_equal_intervals_that_would_leave_a_class_empty_are_fewer() -> None:
    result = classify([0.0, 1.0, 2.0, 3.0, 100.0], "equal_interval", 5, "higher_is_worse")
    assert result.counts == [4, 1]
    assert result.note == "2 classes, not 5: 5 would leave a class empty"


def test_quantiles_without_ties_are_kept_and_say_nothing() -> None:
    result = classify(np.arange(1.0, 21.0), "quantiles", 5, "higher_is_worse")
    assert result.scheme == "quantiles"
    assert result.note is None


def test_natural_breaks_of_tied_values_are_mapclassifys_fisher_jenks() -> None:
    values = np.random.default_rng(3).poisson(4.0, 300).astype(float)
    distinct, weights = np.unique(values, return_counts=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = mapclassify.FisherJenks(values, k=6).bins
    assert natural_breaks(distinct, weights, 6).tolist() == pytest.approx(list(theirs))


def test_bands_are_one_class_each_whatever_is_present() -> None:
    deciles = [1.0, 1.0, 2.0, 10.0, np.nan]
    result = categories(deciles, 10, "higher_is_better")
    assert result is not None
    assert result.scheme == "categories"
    assert result.lower == result.upper == [float(b) for b in range(1, 11)]
    assert result.counts == [2, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    assert result.classes.tolist() == [0, 0, 1, 9, -1]
    assert len(set(result.colours)) == 10  # ten colours from a 9-colour scheme
    assert result.colours[0] == YL_OR_RD[-1]  # decile 1, the most deprived, darkest
    assert result.colours[-1] == YL_OR_RD[0]


def test_values_that_are_not_whole_bands_are_no_categories() -> None:
    assert categories([1.0, 2.5], 10, "higher_is_better") is None
    assert categories([0.0, 3.0], 10, "higher_is_better") is None
    assert categories([3.0, 11.0], 10, "higher_is_better") is None
    assert categories([np.nan], 10, "higher_is_better") is None  # no values, no classes
