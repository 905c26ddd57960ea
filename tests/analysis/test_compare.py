"""Benchmark comparison: Fingertips' rule (benchmark outside the interval) and its labels."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from app.analysis.stats.compare import (
    benchmark_significance,
    compare_counts_to_benchmark,
    compare_to_benchmark,
)

LOWER = np.array([10.0, 10.0, 10.0, 10.0, np.nan, 10.0])
UPPER = np.array([20.0, 20.0, 20.0, 20.0, 20.0, 20.0])
BENCH = np.array([5.0, 25.0, 15.0, 10.0, 15.0, np.nan])


def test_significance_is_benchmark_outside_interval() -> None:
    sig = benchmark_significance(LOWER, UPPER, BENCH)
    # above, below, inside, exactly on the lower limit (not significant), no interval,
    # no benchmark
    np.testing.assert_array_equal(sig, [1.0, -1.0, 0.0, 0.0, np.nan, np.nan])


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        ("higher_is_worse", ["worse", "better", "similar", "similar"]),
        ("higher_is_better", ["better", "worse", "similar", "similar"]),
        ("no_judgement", ["higher", "lower", "similar", "similar"]),
    ],
)
def test_labels_follow_polarity(polarity: str, expected: list[str]) -> None:
    labels = compare_to_benchmark(LOWER, UPPER, BENCH, polarity)  # type: ignore[arg-type]
    assert labels.tolist() == [*expected, "not compared", "not compared"]


def test_unknown_polarity_rejected() -> None:
    with pytest.raises(ValueError, match="polarity"):
        compare_to_benchmark(LOWER, UPPER, BENCH, "lower_is_worse")  # type: ignore[arg-type]


def test_proportion_at_both_levels() -> None:
    # 81 of 263: 95% Wilson interval 25.53% to 36.62% (Newcombe 1998, Table II), so a
    # benchmark of 25% is below it and the area is significantly higher at 95%.
    # At 99.8% (no published value) the lower limit, derived independently as the lower root
    # of (p_hat - p)^2 = z^2 p (1 - p) / n, is about 22.8%, below 25%: "similar".
    z = stats.norm.ppf(0.999)
    p_hat, n = 81 / 263, 263
    roots = np.roots([1 + z * z / n, -(2 * p_hat + z * z / n), p_hat * p_hat]).real
    assert roots.min() * 100 < 25.0

    result = compare_counts_to_benchmark(81, 263, 25.0, "higher_is_worse")
    assert set(result) == {0.95, 0.998}
    at95, at998 = result[0.95], result[0.998]
    assert float(at95.lower) == pytest.approx(25.53, abs=5e-3)
    assert float(at95.upper) == pytest.approx(36.62, abs=5e-3)
    assert float(at95.significance) == 1.0
    assert str(at95.label) == "worse"
    assert float(at998.lower) == pytest.approx(roots.min() * 100, rel=1e-10)
    assert float(at998.significance) == 0.0
    assert str(at998.label) == "similar"


def test_rate_at_both_levels_vectorised() -> None:
    # 8 events in 50,000 = 16 per 100,000 against a benchmark of 40 per 100,000. The exact
    # upper limits, derived independently from Poisson tail sums, are about 31.5 (95%) and
    # 42.3 (99.8%) per 100,000: lower than the benchmark at 95%, similar at 99.8%.
    def exact_upper(k: int, level: float) -> float:
        tail = (1 - level) / 2
        return float(optimize.brentq(lambda m: stats.poisson.cdf(k, m) - tail, 1e-9, 1e3))

    assert exact_upper(8, 0.95) * 2 < 40 < exact_upper(8, 0.998) * 2

    k = np.array([8, 8, 0, np.nan])
    d = np.array([50_000, 50_000, 0, 50_000])
    result = compare_counts_to_benchmark(k, d, 40.0, "higher_is_better", measure="rate")
    assert result[0.95].label.tolist() == ["worse", "worse", "not compared", "not compared"]
    assert result[0.998].label.tolist() == ["similar", "similar", "not compared", "not compared"]
    assert result[0.95].upper[0] == pytest.approx(exact_upper(8, 0.95) * 2, rel=1e-8)
    assert result[0.998].upper[0] == pytest.approx(exact_upper(8, 0.998) * 2, rel=1e-8)


def test_benchmark_may_vary_by_area() -> None:
    result = compare_counts_to_benchmark(
        [50, 50], [100, 100], np.array([30.0, 70.0]), "no_judgement", multiplier=100.0
    )
    assert result[0.95].label.tolist() == ["higher", "lower"]
