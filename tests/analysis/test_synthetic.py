"""The synthetic panel generator: shapes, realism and a ground truth that matches."""

from __future__ import annotations

import numpy as np
import pytest

from app.analysis.stats.synthetic import make_panel


def test_shapes_agencies_and_strata() -> None:
    panel = make_panel(seed=1)
    assert panel.counts.shape == (7, 500, 48)
    assert panel.exposure.shape == (500, 48)
    assert len(set(panel.agencies)) >= 3
    assert set(panel.polarity) == {1, -1}
    assert sorted(np.unique(panel.strata)) == list(range(1, 11))
    assert np.all(np.bincount(panel.strata)[1:] == 50)
    assert np.all(panel.counts >= 0)
    assert np.all(panel.counts == np.round(panel.counts))


def test_ground_truth_matches_what_was_planted() -> None:
    panel = make_panel(n_single=40, n_correlated=25, seed=2)
    per_area = panel.planted.sum(axis=1)
    assert np.sum(per_area == 1) == 40
    assert np.all(panel.correlated == (per_area >= 2))
    assert panel.correlated.sum() == 25
    agencies = np.asarray(panel.agencies)
    for area in np.flatnonzero(panel.correlated):
        chosen = np.flatnonzero(panel.planted[area])
        assert len(set(agencies[chosen])) == len(chosen) in (2, 3)
        assert len(set(panel.onset[area, chosen])) == 1  # one onset for the area
    start = 48 - panel.recent
    assert np.all((panel.onset[panel.planted] >= start) & (panel.onset[panel.planted] <= start + 3))
    assert np.all(panel.onset[~panel.planted] == -1)
    assert np.all(panel.multiplier[~panel.planted] == 1.0)
    polarity = np.asarray(panel.polarity)[None, :]
    worse = np.where(polarity == 1, panel.multiplier > 1.4, panel.multiplier < 1 / 1.4)
    assert np.all(worse[panel.planted])


def test_planted_changes_are_in_the_counts() -> None:
    # Large areas, so that the observed ratio is close to the planted one.
    panel = make_panel(n_areas=200, population=50_000, n_single=60, n_correlated=0, seed=3)
    start = 48 - panel.recent + 3  # after every onset
    areas, ks = np.nonzero(panel.planted)
    recent = panel.counts[:, :, start:].sum(axis=2) / panel.exposure[:, start:].sum(axis=1)
    before = panel.counts[:, :, 12:36].sum(axis=2) / panel.exposure[:, 12:36].sum(axis=1)
    change = recent / before  # (indicators, areas): the city's own change included
    city = np.median(change, axis=1)
    observed = change[ks, areas] / city[ks]
    np.testing.assert_allclose(np.median(observed / panel.multiplier[areas, ks]), 1.0, atol=0.1)
    unplanted = change[:, ~panel.planted.any(axis=1)] / city[:, None]
    assert np.median(np.abs(np.log(unplanted))) < 0.1


def test_null_mode_plants_nothing_and_seeds_reproduce() -> None:
    null = make_panel(null=True, seed=4)
    assert not null.planted.any()
    assert not null.correlated.any()
    assert np.all(null.multiplier == 1.0)
    again = make_panel(null=True, seed=4)
    other = make_panel(null=True, seed=5)
    np.testing.assert_array_equal(null.counts, again.counts)
    assert not np.array_equal(null.counts, other.counts)


def test_gradual_changes_grow_over_time() -> None:
    panel = make_panel(n_areas=100, population=50_000, kind="ramp", n_single=30,
                       n_correlated=0, seed=6)  # fmt: skip
    areas, ks = np.nonzero(panel.planted)
    rate = panel.counts[ks, areas] / panel.exposure[areas]
    # The log ratio rises linearly from 24 months before the end: the last year's rate
    # is further from the baseline than the year before it.
    base, mid, last = (rate[:, a:b].mean(axis=1) for a, b in ((0, 24), (24, 36), (36, 48)))
    gap_mid, gap_last = np.abs(np.log(mid / base)), np.abs(np.log(last / base))
    assert np.median(gap_last) > np.median(gap_mid) + 0.1


def test_missing_cells() -> None:
    panel = make_panel(n_areas=100, missing=0.1, seed=7)
    assert np.isnan(panel.counts).mean() == pytest.approx(0.1, abs=0.02)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="kind"):
        make_panel(kind="wave")
    with pytest.raises(ValueError, match="planted"):
        make_panel(n_areas=10, n_single=8, n_correlated=5)
