"""Trend tests against published worked examples and independent derivations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from app.analysis.stats.trend import (
    CANNOT_BE_CALCULATED,
    TREND_CHI2_THRESHOLD,
    chi_squared_trend,
    mann_kendall,
    recent_trend_from_intervals,
    recent_trend_proportion,
    recent_trend_rate,
)

# "A Mann-Kendall Example ('By Hand')", College of the Holy Cross,
# mathcs.holycross.edu/~little/Montserrat/MannKendallByHand.txt
HOLY_CROSS = [12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9, 11.0, 17.3, 15.9, 19.0, 18.3, 20.1, 21.7]


def test_mann_kendall_reproduces_worked_example() -> None:
    result = mann_kendall(HOLY_CROSS)
    # Published: 91 pairs, 72 up, 18 down, 1 tie, so S = 54; V = (14)(13)(33)/18 -
    # (2)(1)(9)/18; Z = (S - 1)/sqrt(V) = 2.9058; one-sided p about .0018.
    assert result.n[0] == 14
    assert result.s[0] == 54
    assert result.var_s[0] == pytest.approx(14 * 13 * 33 / 18 - 2 * 1 * 9 / 18)
    assert result.z[0] == pytest.approx(2.9058, abs=5e-5)
    assert result.p[0] / 2 == pytest.approx(0.0018, abs=5e-5)  # ours is two-sided
    assert result.reason[0] == ""


def test_mann_kendall_s_matches_kendall_tau() -> None:
    # Independent check of S: Kendall's tau-b from scipy, times its denominator
    # sqrt((n0 - ties in time) (n0 - ties in values)), with n0 = 91 pairs and one tied pair.
    tau = stats.kendalltau(np.arange(14), HOLY_CROSS).statistic
    assert mann_kendall(HOLY_CROSS).s[0] == pytest.approx(tau * np.sqrt(91 * 90))


def test_sens_slope_matches_scipy_theilslopes() -> None:
    # No published Sen's slope for this series: derived independently with
    # scipy.stats.theilslopes (the median of pairwise slopes).
    expected = stats.theilslopes(HOLY_CROSS).slope
    assert mann_kendall(HOLY_CROSS).slope[0] == pytest.approx(expected)


def test_mann_kendall_rows_skip_nans_independently() -> None:
    series = np.array(HOLY_CROSS)
    holed = series.copy()
    holed[[2, 7, 11]] = np.nan
    kept = ~np.isnan(holed)
    result = mann_kendall(np.vstack([series, holed]), times=np.arange(2000, 2014))
    # Row 2 must equal the test on its non-missing points alone, timed by their years.
    alone = mann_kendall(series[kept], times=np.arange(2000, 2014)[kept])
    assert result.n.tolist() == [14, 11]
    assert result.s[1] == alone.s[0]
    assert result.z[1] == pytest.approx(alone.z[0])
    expected_slope = stats.theilslopes(series[kept], np.arange(2000, 2014)[kept]).slope
    assert result.slope[1] == pytest.approx(expected_slope)


def test_mann_kendall_tie_correction() -> None:
    # Ties: a group of 2 and a group of 3 among 7 values, so by the formula
    # var = [7*6*19 - 2*1*9 - 3*2*11] / 18 = 714 / 18.
    values = [1, 2, 2, 3, 3, 3, 4]
    result = mann_kendall(values)
    assert result.var_s[0] == pytest.approx(714 / 18)
    tau_b = stats.kendalltau(np.arange(7), values).statistic
    assert result.s[0] == pytest.approx(tau_b * np.sqrt(21 * (21 - 1 - 3)))


def test_mann_kendall_untestable_rows() -> None:
    rows = np.array(
        [
            [1.0, np.nan, 2.0, 3.0, np.nan],  # 3 valid points
            [5.0, 5.0, 5.0, 5.0, 5.0],  # no variation at all
        ]
    )
    result = mann_kendall(rows)
    assert np.isnan(result.p).all()
    assert result.reason.tolist() == ["fewer than 4 valid points", "all values equal"]
    # Sen's slope is still given: pairwise slopes 1/2, 2/3 and 1 (by hand), median 2/3.
    assert result.slope.tolist() == pytest.approx([2 / 3, 0.0])


def test_chi_squared_trend_published_examples() -> None:
    # Armitage P (1955) "Tests for linear trends in proportions and frequencies", Biometrics
    # 11:375-386, Table 1: Streptococcus carriers by tonsil size, 19/516, 29/589, 24/293.
    # Armitage gives 7.89 (2 df) for the whole table and 7.19 (1 df) for the trend.
    # R stats::prop.trend.test help example (smokers 83/86, 90/93, 129/136, 70/82) prints
    # X-squared = 8.2249.
    assert chi_squared_trend([19, 29, 24], [516, 589, 293])[0] == pytest.approx(7.19, abs=5e-3)
    table = np.array([[19, 29, 24], [497, 560, 269]])
    assert stats.chi2_contingency(table, correction=False).statistic == pytest.approx(
        7.89, abs=0.01
    )
    smokers = chi_squared_trend([83, 90, 129, 70], [86, 93, 136, 82])[0]
    assert smokers == pytest.approx(8.2249, abs=5e-5)


def test_chi_squared_trend_rosner_example() -> None:
    # Rosner, "Fundamentals of Biostatistics", breast cancer by age at first birth, scores
    # 1..5: 320/1742, 1206/5638, 1011/3904, 463/1555, 220/626, with published A = 567.16.
    # Independently, chi-square = A^2 / B with B = p q (sum n s^2 - (sum n s)^2 / N) (Rosner's
    # form), and also = N r^2 with r the Pearson correlation of score and outcome over the
    # N women.
    r = np.array([320, 1206, 1011, 463, 220.0])
    n = np.array([1742, 5638, 3904, 1555, 626.0])
    s = np.arange(1, 6.0)
    big_n, p = n.sum(), r.sum() / n.sum()
    b = p * (1 - p) * ((n * s**2).sum() - (n * s).sum() ** 2 / big_n)
    score = np.repeat(np.tile(s, 2), np.concatenate([r, n - r]).astype(int))
    outcome = np.repeat([1.0] * 5 + [0.0] * 5, np.concatenate([r, n - r]).astype(int))
    corr = np.corrcoef(score, outcome)[0, 1]
    ours = chi_squared_trend(r, n, s)[0]
    assert ours == pytest.approx(567.16**2 / b, rel=1e-4)
    assert ours == pytest.approx(big_n * corr**2, rel=1e-10)


# Fingertips' own test series and expected markers: ukhsa-collaboration/fingertips-open,
# PholioVisualisation AnalysisTest "WhenUsingTrendMarkerCalculator" (GetTrendData_1, _3,
# _5, _5a: Decreasing, Increasing, NoChange, Decreasing).
FINGERTIPS_COUNTS = np.array(
    [
        [621, 599, 556, 535, 447],
        [8116, 8145, 8222, 8506, 8728],
        [5405, 5500, 5435, 5480, 5315],
        [22435, 22445, 21365, 20955, 19055],
    ],
    dtype=float,
)
FINGERTIPS_DENOMS = np.array(
    [
        [3454, 3195, 3256, 3227, 3121],
        [91530, 91773, 92088, 92238, 92665.89],
        [18095, 18170, 18005, 17890, 17860],
        [65880, 67900, 68705, 69835, 70910],
    ]
)


def test_recent_trend_reproduces_fingertips_test_series() -> None:
    years = np.arange(2008, 2013)
    result = recent_trend_proportion(FINGERTIPS_COUNTS, FINGERTIPS_DENOMS, "no_judgement", years)
    assert result.label.tolist() == [
        "Decreasing",
        "Increasing",
        "No significant change",
        "Decreasing",
    ]
    # The statistic is the chi-squared test for trend on the same five points.
    np.testing.assert_allclose(
        result.chi_square, chi_squared_trend(FINGERTIPS_COUNTS, FINGERTIPS_DENOMS, years)
    )
    # Direction from the least-squares slope of the log odds (checked with numpy.polyfit).
    log_odds = np.log(FINGERTIPS_COUNTS / (FINGERTIPS_DENOMS - FINGERTIPS_COUNTS))
    slopes = [np.polyfit(years, row, 1)[0] for row in log_odds]
    np.testing.assert_allclose(result.slope, slopes)


@pytest.mark.parametrize(
    ("polarity", "labels"),
    [
        ("higher_is_worse", ["Decreasing and getting better", "Increasing and getting worse"]),
        ("higher_is_better", ["Decreasing and getting worse", "Increasing and getting better"]),
    ],
)
def test_recent_trend_polarity_labels(polarity: str, labels: list[str]) -> None:
    result = recent_trend_proportion(FINGERTIPS_COUNTS[:2], FINGERTIPS_DENOMS[:2], polarity)  # type: ignore[arg-type]
    assert result.label.tolist() == labels


def test_recent_trend_uses_last_five_points_only() -> None:
    early = np.array([[1.0], [1.0], [1.0], [1.0]])
    counts = np.hstack([early, FINGERTIPS_COUNTS])
    denoms = np.hstack([early * 2, FINGERTIPS_DENOMS])
    six = recent_trend_proportion(counts, denoms, "no_judgement")
    five = recent_trend_proportion(FINGERTIPS_COUNTS, FINGERTIPS_DENOMS, "no_judgement")
    assert six.label.tolist() == five.label.tolist()
    np.testing.assert_allclose(six.chi_square, five.chi_square)


def test_recent_trend_outlier_rule() -> None:
    # Four equal proportions then a jump: chi-squared is far above the 99.8% point, but
    # leaving out the last point gives a slope of 0, not the same sign as the full slope,
    # so by the guidance's outlier rule there is no significant change.
    result = recent_trend_proportion(
        [[1000, 1000, 1000, 1000, 2000]], [[10_000] * 5], "no_judgement"
    )
    assert result.chi_square[0] > TREND_CHI2_THRESHOLD
    assert result.label[0] == "No significant change"
    assert result.reason[0] == "outlier found"


def test_recent_trend_cannot_be_calculated() -> None:
    counts = np.array([[5, 6, 7, 8, 9], [5, 6, np.nan, 8, 9], [0, 6, 7, 8, 9], [5, 6, 7, 8, 90]])
    denoms = np.full((4, 5), 50.0)
    result = recent_trend_proportion(counts, denoms, "higher_is_worse")
    assert result.label.tolist()[1:] == [CANNOT_BE_CALCULATED] * 3
    assert result.reason.tolist()[1:] == [
        "missing values",
        "proportion of 0 or 1 at a point",
        "invalid counts or denominators",
    ]
    assert np.isnan(result.chi_square[1:]).all()
    too_short = recent_trend_proportion(counts[:, :4], denoms[:, :4], "higher_is_worse")
    assert set(too_short.label.tolist()) == {CANNOT_BE_CALCULATED}
    assert set(too_short.reason.tolist()) == {"not enough data points"}


def test_recent_trend_from_intervals_matches_weighted_least_squares() -> None:
    # PHEindicatormethods assign_trend_markers documented example ("other" value type):
    # values with their 95% limits. No published marker for it, so the expected result is
    # derived independently with numpy.polyfit: weights 1/se with se = (UL - LL) / (2 z),
    # slope variance from the unscaled covariance, and the leave-one-out slopes.
    value = np.array([30.6, 30.2, 28, 24.6, 24.67])
    low = np.array([28.98, 28.63, 26.44, 23.15, 23.16])
    high = np.array([32.25, 31.9, 29.64, 26.19, 26.25])
    t = np.arange(1, 6.0)
    se = (high - low) / (2 * stats.norm.ppf(0.975))
    coef, cov = np.polyfit(t, value, 1, w=1 / se, cov="unscaled")
    chi_square = coef[0] ** 2 / cov[0, 0]
    keep = [np.arange(5) != j for j in range(5)]
    loo = [np.polyfit(t[m], value[m], 1, w=1 / se[m])[0] for m in keep]
    assert chi_square > TREND_CHI2_THRESHOLD
    assert all(np.sign(b) == np.sign(coef[0]) for b in loo)

    result = recent_trend_from_intervals([value], [low], [high], "higher_is_worse", t)
    assert result.chi_square[0] == pytest.approx(chi_square, rel=1e-10)
    assert result.slope[0] == pytest.approx(coef[0], rel=1e-10)
    assert result.label[0] == "Decreasing and getting better"


def test_recent_trend_rate_uses_count_intervals() -> None:
    counts = np.array([[120, 130, 150, 170, 200], [120, 118, 121, 119, 120]], dtype=float)
    pops = np.full((2, 5), 100_000.0)
    result = recent_trend_rate(counts, pops, "higher_is_worse")
    assert result.label.tolist() == ["Increasing and getting worse", "No significant change"]
    missing = recent_trend_rate([[1, 2, 3, 4, np.nan]], [[10.0] * 5], "no_judgement")
    assert missing.label[0] == CANNOT_BE_CALCULATED
