"""Correlated deterioration: partial conjunctions per area, FDR across areas, pairs."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pytest

from app.analysis.stats.correlated import (
    _permuted_product,
    adafilter_qvalues,
    bonferroni_partial_conjunction,
    cooccurring_pairs,
    correlated_deterioration,
    correlated_families,
    simes_partial_conjunction,
)
from app.analysis.stats.deterioration import count_deterioration
from app.analysis.stats.synthetic import make_panel


def test_simes_partial_conjunction_by_hand() -> None:
    p = np.array(
        [
            [0.01, 0.02, 0.5, 0.9],
            [0.001, 0.04, 0.045, 0.9],
            [0.01, np.nan, 0.03, np.nan],
            [0.2, np.nan, np.nan, np.nan],
        ]
    )
    pc, rank = simes_partial_conjunction(p, at_least=2)
    # p_pc = min over i = u..n of (n - u + 1) / (i - u + 1) * p(i), with u = 2:
    # row 0, n = 4: min(3/1 * 0.02, 3/2 * 0.5, 3/3 * 0.9) = 0.06 at i = 2
    # row 1, n = 4: min(3/1 * 0.04, 3/2 * 0.045, 3/3 * 0.9) = 0.0675 at i = 3
    # row 2, n = 2: (1/1) * 0.03 = 0.03 at i = 2
    # row 3, n = 1: fewer than two tested, no test
    np.testing.assert_allclose(pc[:3], [0.06, 0.0675, 0.03])
    assert np.isnan(pc[3])
    assert rank.tolist() == [2, 3, 2, 0]
    # u = 1 is Simes' global test: min(4 * 0.01, 4/2 * 0.02, 4/3 * 0.5, 0.9) = 0.04
    assert simes_partial_conjunction(p[:1], 1)[0][0] == pytest.approx(0.04)


def test_bonferroni_partial_conjunction_and_adafilter_by_hand() -> None:
    select, filt = bonferroni_partial_conjunction([[0.01, 0.02, 0.5, 0.9]], 2)
    # (n - u + 1) p(u) = 3 * 0.02 and the filter (n - u + 1) p(u - 1) = 3 * 0.01
    assert select[0] == pytest.approx(0.06)
    assert filt[0] == pytest.approx(0.03)
    s = np.array([0.01, 0.04, 0.5, 0.9])
    f = np.array([0.001, 0.02, 0.3, 0.8])
    # q = min over t >= S_j of t * #{F <= t} / #{S <= t}:
    # 0.01 * 1/1, 0.04 * 2/2, 0.5 * 3/3, 0.9 * 4/4 (BH would use 4 in every numerator)
    np.testing.assert_allclose(adafilter_qvalues(s, f), [0.01, 0.04, 0.5, 0.9])
    # With every area able to reach the smallest S, AdaFilter is plain BH.
    bh = [0.04, 0.08, 0.6667, 0.9]
    np.testing.assert_allclose(adafilter_qvalues(s, np.zeros(4)), bh, rtol=1e-3)


def test_agencies_are_combined_first_and_drivers_span_them() -> None:
    agencies = ["police", "police", "health", "council"]
    p = np.array([[0.001, 0.5, 0.002, 0.8], [0.001, 0.002, 0.9, 0.8]])
    simes = correlated_deterioration(p, agencies, fdr="bh")
    # Row 0: police = Simes(0.001, 0.5) = min(2 * 0.001, 0.5) = 0.002, health 0.002,
    # council 0.8; at least 2 of 3 agencies: min(2/1 * 0.002, 2/2 * 0.8) = 0.004.
    assert simes.p[0] == pytest.approx(0.004)
    assert simes.drivers[0] == [0, 2]
    assert simes.spans_agencies[0]
    # Row 1: both small p-values are police's (Simes 0.002); health 0.9, council 0.8:
    # min(2/1 * 0.8, 2/2 * 0.9) = 0.9, nothing from a second agency.
    assert simes.p[1] == pytest.approx(0.9)
    by_indicator = correlated_deterioration(p, agencies, fdr="bh", by_agency=False)
    # As indicators, row 1 has two at <= 0.002: min(3/1 * 0.002, ...) = 0.006.
    assert by_indicator.p[1] == pytest.approx(0.006)
    assert by_indicator.drivers[1] == [0, 1]
    assert not by_indicator.spans_agencies[1]
    ada = correlated_deterioration(p, agencies)  # Bonferroni form: (3 - 2 + 1) * 0.002
    assert ada.p[0] == pytest.approx(0.004)


def least_favourable_p(seed: int, n_areas: int = 500, n_ind: int = 7) -> np.ndarray:
    """Independent uniform p-values, with one indicator certainly deteriorating in a fifth
    of the areas: those areas' 'at least two' null is the hardest to keep."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(size=(n_areas, n_ind))
    strong = rng.uniform(size=n_areas) < 0.2
    p[strong, rng.integers(n_ind, size=int(strong.sum()))] = 1e-12
    return p


@pytest.mark.parametrize("fdr", ["adafilter", "bh"])
def test_false_areas_stay_rare_under_the_null(fdr: Literal["adafilter", "bh"]) -> None:
    agencies = ["a", "a", "b", "b", "c", "c", "d"]
    false = [
        correlated_deterioration(least_favourable_p(s), agencies, 0.05, fdr=fdr).significant.sum()
        for s in range(40)
    ]
    # With nothing jointly deteriorating every discovery is false, so the FDR is the
    # chance of any: at most q = 0.05 per run, a mean of about 0.05 areas.
    assert np.mean(false) <= 0.2
    naive = [np.sum((least_favourable_p(s) < 0.05).sum(axis=1) >= 2) for s in range(5)]
    assert np.mean(naive) > 20  # the naive rule, for contrast


def test_false_areas_stay_rare_on_synthetic_null_panels() -> None:
    false = []
    for seed in range(20):
        panel = make_panel(n_areas=500, null=True, seed=100 + seed)
        p = np.column_stack(
            [
                count_deterioration(panel.counts[k], panel.exposure, s.polarity).p
                for k, s in enumerate(panel.indicators)
            ]
        )
        false.append(int(correlated_deterioration(p, panel.agencies).significant.sum()))
    assert np.mean(false) <= 0.2


def test_a_planted_joint_deterioration_is_found() -> None:
    rng = np.random.default_rng(3)
    p = rng.uniform(size=(500, 6))
    p[10, [0, 3]] = 1e-7  # two agencies in area 10
    result = correlated_deterioration(p, ["a", "a", "b", "b", "c", "c"], 0.05)
    assert result.significant[10]
    assert set(result.drivers[10]) == {0, 3}
    assert result.spans_agencies[10]
    assert result.significant.sum() <= 2


def deprived_flags(seed: int, n_areas: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Three indicators flagged independently given deprivation, all far more often in
    deprived strata: they co-occur more than chance city-wide, but not within strata."""
    rng = np.random.default_rng(seed)
    strata = rng.integers(1, 11, n_areas)
    rate = np.where(strata > 5, 0.25, 0.01)  # 1% in the less deprived half, 25% else
    flags = (rng.uniform(size=(n_areas, 3)) < rate[:, None]).astype(float)
    return flags, strata


def test_pairs_respect_deprivation() -> None:
    flags, strata = deprived_flags(5)
    within = cooccurring_pairs(flags, strata, permutations=499, seed=1)
    pooled = cooccurring_pairs(flags, np.ones_like(strata), permutations=499, seed=1)
    assert min(r.p for r in within) > 0.05
    assert max(r.p for r in pooled) < 0.01  # ignoring deprivation invents links


def test_pairs_find_a_planted_co_deterioration() -> None:
    flags, strata = deprived_flags(6)
    rng = np.random.default_rng(7)
    both = rng.choice(flags.shape[0], 60, replace=False)
    flags[both, 0] = flags[both, 2] = 1.0
    rows = cooccurring_pairs(flags, strata, permutations=499, seed=2)
    top = rows[0]
    assert (top.i, top.j) == (0, 2)
    assert top.p <= 0.01
    assert top.q <= 0.05
    assert top.observed > top.expected + 25  # most of the 60 planted, beyond chance
    assert all(r.p > 0.05 for r in rows[1:])


def test_infinite_and_missing_scores_are_usable() -> None:
    flags, strata = deprived_flags(10, 500)
    scores = 3.0 * flags
    scores[0, 0], scores[1, 1] = np.inf, np.nan
    rows = cooccurring_pairs(scores, strata, permutations=99)
    assert all(np.isfinite([r.observed, r.expected, r.p, r.q]).all() for r in rows)
    # The infinite score counts as the largest (3), the missing one as 0.
    capped = 3.0 * flags
    capped[0, 0], capped[1, 1] = 3.0, 0.0
    assert [r.observed for r in rows] == [
        r.observed for r in cooccurring_pairs(capped, strata, permutations=99)
    ]


def test_flag_and_score_products_agree() -> None:
    flags, _ = deprived_flags(8, 300)
    index = np.random.default_rng(9).permutation(300)
    counted = _permuted_product(flags)(index)
    multiplied = _permuted_product(2.0 * flags)(index)
    expected = flags.T @ flags[index]
    np.testing.assert_array_equal(counted, expected)
    np.testing.assert_allclose(multiplied, 4.0 * expected)


def test_families_at_several_resolutions_share_one_adafilter() -> None:
    rng = np.random.default_rng(4)
    agencies = ["police", "police", "fire", "health"]
    fine = rng.uniform(size=(300, 4))
    coarse = rng.uniform(size=(40, 4))
    fine[:12, [0, 2]] = 1e-6  # joint deteriorations at the fine resolution
    coarse[:5, [1, 3]] = 1e-5  # and at the coarse one
    one = correlated_families([(fine, agencies)], 0.05)
    alone = correlated_deterioration(fine, agencies, 0.05)
    np.testing.assert_array_equal(one[0].q, alone.q)
    both = correlated_families([(fine, agencies), (coarse, agencies)], 0.05)
    units = [
        np.column_stack(
            [simes_partial_conjunction(p[:, [0, 1]], 1)[0], p[:, [2]].ravel(), p[:, [3]].ravel()]
        )
        for p in (fine, coarse)
    ]
    # Agencies sorted by name: fire, health, police.
    units = [u[:, [1, 2, 0]] for u in units]
    s, f = zip(*(bonferroni_partial_conjunction(u, 2) for u in units), strict=True)
    expected = adafilter_qvalues(np.concatenate(s), np.concatenate(f))
    np.testing.assert_allclose(np.concatenate([both[0].q, both[1].q]), expected)
    assert both[0].significant[:12].all()
    assert both[1].significant[:5].all()
    assert not both[0].significant[12:].any()
    assert not both[1].significant[5:].any()


def test_two_nested_resolutions_together_keep_false_areas_rare_under_the_null() -> None:
    """LSOAs and the wards they make (3 x 3 blocks of the grid), tested from the same
    counts: nested, so positively dependent."""
    from app.analysis.stats.synthetic import grid_blocks

    false = 0
    for seed in range(8):
        panel = make_panel(n_areas=500, null=True, seed=300 + seed)
        blocks = grid_blocks(500, 3)
        wards = np.zeros((blocks.max() + 1, 500))
        wards[blocks, np.arange(500)] = 1.0
        fine = np.column_stack(
            [
                count_deterioration(panel.counts[k], panel.exposure, s.polarity).p
                for k, s in enumerate(panel.indicators)
            ]
        )
        coarse = np.column_stack(
            [
                count_deterioration(wards @ panel.counts[k], wards @ panel.exposure, s.polarity).p
                for k, s in enumerate(panel.indicators)
            ]
        )
        families = [(fine, panel.agencies), (coarse, panel.agencies)]
        false += sum(int(r.significant.sum()) for r in correlated_families(families, 0.05))
    assert false / 8 <= 0.25
