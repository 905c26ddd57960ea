"""Clusters from pooled evidence: a change spread over adjacent small areas is found as
one cluster when no area of it stands out alone; one strong area is not a cluster; with
nothing changed, false clusters stay rare; shared noise between neighbours is allowed for."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from app.analysis.stats.clusters import pooled_clusters
from app.analysis.stats.deterioration import count_deterioration
from app.analysis.stats.synthetic import grid_adjacency, grid_blocks, make_panel

N = 400
GRID = grid_adjacency(N)  # 20 x 20
BLOCK = [i * 20 + j for i in range(8, 11) for j in range(8, 11)]  # a 3 x 3 block


def test_grid_adjacency_is_queen_contiguity() -> None:
    g = sparse.csr_array(grid_adjacency(12))  # 4 x 3: three rows of four

    def neighbours(i: int) -> list[int]:
        return sorted(g.indices[g.indptr[i] : g.indptr[i + 1]].tolist())

    assert neighbours(0) == [1, 4, 5]
    assert neighbours(5) == [0, 1, 2, 4, 6, 8, 9, 10]
    assert (g != g.T).nnz == 0


def test_a_spread_change_is_one_cluster_though_no_area_is_significant_alone() -> None:
    z = np.random.default_rng(1).standard_normal(N)
    z[BLOCK] = 2.2  # each area alone: p = 0.014, nothing after BH over 400
    found = pooled_clusters(z, np.full(N, 30.0), GRID, seed=1)
    assert len(found.clusters) == 1
    cluster = found.clusters[0]
    assert set(BLOCK) <= set(cluster.areas)
    assert len(cluster.areas) <= len(BLOCK) + 3
    assert cluster.q <= 0.05
    assert cluster.centre in cluster.areas


def test_one_strong_area_is_not_a_cluster() -> None:
    z = np.random.default_rng(2).standard_normal(N)
    z[BLOCK[4]] = 12.0
    assert pooled_clusters(z, np.full(N, 30.0), GRID, seed=2).clusters == []


def test_false_clusters_stay_rare_with_nothing_changed() -> None:
    rng = np.random.default_rng(0)
    false = sum(
        len(pooled_clusters(rng.standard_normal(N), rng.uniform(5, 80, N), GRID, seed=s).clusters)
        for s in range(60)
    )
    assert false <= 8  # about q = 0.05 a run (any false window): 3 expected in 60 runs


def test_noise_shared_by_neighbours_widens_the_windows() -> None:
    rng = np.random.default_rng(5)
    own = rng.standard_normal(N)
    shared = sparse.csr_array(GRID) @ rng.standard_normal(N) / 3.0
    z = (own + shared) / np.sqrt(1 + (sparse.csr_array(GRID).sum(axis=1) / 9.0))
    found = pooled_clusters(z, np.full(N, 30.0), GRID)
    assert found.spread > 1.1
    independent = pooled_clusters(own, np.full(N, 30.0), GRID)
    assert independent.spread == 1.0


def test_untested_areas_and_misaligned_inputs() -> None:
    z = np.full(N, np.nan)
    assert pooled_clusters(z, np.ones(N), GRID).clusters == []
    with pytest.raises(ValueError, match="same areas"):
        pooled_clusters(np.zeros(N - 1), np.ones(N), GRID)


def test_a_planted_cluster_of_small_areas_is_found_from_their_counts() -> None:
    found = 0
    for seed in range(5):
        panel = make_panel(n_areas=N, cluster=8, cluster_effect=1.0, n_single=10,
                           n_correlated=0, seed=seed)  # fmt: skip
        k = panel.cluster_indicator
        spec = panel.indicators[k]
        r = count_deterioration(panel.counts[k], panel.exposure, spec.polarity)
        clusters = pooled_clusters(r.z_pool, np.nan_to_num(r.weight), grid_adjacency(N))
        truth = panel.clustered
        found += any(
            truth[list(c.areas)].sum() >= 0.5 * truth.sum()
            and truth[list(c.areas)].sum() >= 0.5 * len(c.areas)
            for c in clusters.clusters
        )
    assert found >= 3


def test_grid_blocks_make_wards_of_lsoas() -> None:
    blocks = grid_blocks(500, 3)  # 23 columns: blocks of 3 x 3, narrower at the edges
    assert blocks.shape == (500,)
    assert np.bincount(blocks).max() == 9
    assert len(set(blocks[[0, 1, 2, 23, 24, 25, 46, 47, 48]].tolist())) == 1
    assert blocks[3] != blocks[0]


def test_a_joint_cluster_changes_one_indicator_of_each_of_two_agencies() -> None:
    panel = make_panel(n_areas=500, cluster_block=3, cluster_agencies=2, seed=1)
    assert panel.clustered.sum() == 9
    ks = panel.cluster_indicators
    assert len({panel.indicators[k].agency for k in ks}) == 2
    assert panel.planted[panel.clustered][:, list(ks)].all()


def test_an_l_shaped_cluster_is_found_and_centred_on_one_of_its_areas() -> None:
    z = np.random.default_rng(6).standard_normal(N)
    shape = [8 * 20 + 8, 9 * 20 + 8, 10 * 20 + 8, 10 * 20 + 9, 10 * 20 + 10, 10 * 20 + 11]
    z[shape] = 2.5
    found = pooled_clusters(z, np.full(N, 30.0), GRID, seed=6)
    cluster = found.clusters[0]  # the strongest
    assert set(shape) <= set(cluster.areas)
    assert len(cluster.areas) <= 2 * len(shape)  # and few unchanged neighbours with it
    assert cluster.centre in cluster.areas
    assert z[cluster.centre] > 1.5


def test_false_clusters_stay_rare_from_real_counts_either_polarity() -> None:
    false = 0
    for seed in range(6):
        panel = make_panel(n_areas=N, null=True, seed=100 + seed)
        for k, spec in enumerate(panel.indicators):  # health_checks: lower is worse
            r = count_deterioration(panel.counts[k], panel.exposure, spec.polarity)
            found = pooled_clusters(r.z_pool, np.nan_to_num(r.weight), GRID, seed=seed)
            false += len(found.clusters)
    # q = 0.05 per indicator family: about 0.35 a panel of 7 indicators at most.
    assert false / 6 <= 0.7
