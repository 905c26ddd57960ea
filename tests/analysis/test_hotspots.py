"""Hot spots (Gi*), Moran's I and contiguity weights with the islands fallback."""

from __future__ import annotations

import math

import libpysal
import numpy as np
import pytest
import shapely
from esda.moran import Moran
from libpysal.weights import W, w_subset

from app.analysis.stats.hotspots import (
    HOT,
    NOT_FLAGGED,
    contiguity_weights,
    hotspots,
    morans_i,
)


def _grid(nx: int, ny: int) -> list[shapely.Polygon]:
    """Unit squares (in degrees, near 0,0) ordered row by row: index = row * nx + col."""
    return [shapely.box(c, r, c + 1, r + 1) for r in range(ny) for c in range(nx)]


def _chain(n: int) -> W:
    return W({i: [j for j in (i - 1, i + 1) if 0 <= j < n] for i in range(n)})


@pytest.fixture(scope="module")
def grid20() -> W:
    return contiguity_weights(_grid(20, 20)).w


@pytest.fixture(scope="module")
def stl() -> tuple[np.ndarray, W]:
    # Shipped inside libpysal (libpysal/examples/stl): nothing is downloaded.
    gal = libpysal.io.open(libpysal.examples.get_path("stl.gal"))
    table = libpysal.io.open(libpysal.examples.get_path("stl_hom.txt"))
    try:
        return np.array(table.by_col["HR8893"], dtype=float), gal.read()
    finally:
        gal.close()
        table.close()


def test_morans_i_reproduces_esda_reference(stl: tuple[np.ndarray, W]) -> None:
    y, w = stl
    result = morans_i(y, w)
    # esda 2.9 esda/moran.py, Moran docstring (St Louis homicide rates HR8893, stl.gal):
    #   round(mi.I, 3) == 0.244; mi.EI == -0.012987012987012988;
    #   mi.p_norm == 0.00027147862770937614 (two-tailed, the default).
    # esda/tests/test_moran.py::TestMoran::test_moran: I == 0.24365582621771659 and the
    # one-tailed p_norm == 0.00013573931385468807 (half of the two-tailed value).
    assert round(result.i, 3) == 0.244
    assert result.i == pytest.approx(0.24365582621771659, rel=1e-9)
    assert result.expected == pytest.approx(-0.012987012987012988, rel=1e-12)
    assert result.p == pytest.approx(0.00027147862770937614, rel=1e-6)
    assert result.p == pytest.approx(2 * 0.00013573931385468807, rel=1e-6)
    assert result.z > 0
    assert result.n == 78


def test_morans_i_drops_missing_areas_by_subsetting_the_weights(
    stl: tuple[np.ndarray, W],
) -> None:
    y, w = stl
    y = y.copy()
    y[[3, 40]] = np.nan
    kept = [w.id_order[i] for i in range(len(y)) if i not in (3, 40)]
    sub = w_subset(w, kept, silence_warnings=True)
    expected = Moran(y[~np.isnan(y)], sub, permutations=0)
    result = morans_i(y, w)
    assert result.n == 76
    assert result.i == pytest.approx(expected.I, rel=1e-12)
    assert result.p == pytest.approx(expected.p_norm, rel=1e-9)


def test_gi_star_z_reproduces_esda_docstring() -> None:
    # esda 2.9 esda/getisord.py, G_Local docstring: six points, DistanceBand threshold 15,
    # y = [2, 3, 3.2, 5, 8, 7], G_Local(y, w, transform='B', star=True).Zs ==
    documented = [-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331]
    points = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
    w = libpysal.weights.DistanceBand(points, threshold=15, silence_warnings=True)
    y = np.array([2, 3, 3.2, 5, 8, 7])
    result = hotspots(y, w, inference="normal")
    np.testing.assert_allclose(result.z, documented, rtol=1e-7)
    # z does not depend on the origin of the values, so changes (negative) work too.
    np.testing.assert_allclose(hotspots(y - 50, w).z, documented, rtol=1e-7)
    np.testing.assert_allclose(hotspots(y * 10 + 1e4, w).z, documented, rtol=1e-6)


def test_gi_star_hand_example() -> None:
    # A chain 0-1-2-3-4 with y = [1, 2, 3, 4, 10]: n = 5, mean 4, population variance
    # s^2 = (1 + 4 + 9 + 16 + 100) / 5 - 16 = 10. Gi* z = (S_i - c_i mean) /
    # (s sqrt((n c_i - c_i^2) / (n - 1))), S_i = sum over the area and its neighbours.
    # Ends (c = 2): sqrt(10) sqrt((10 - 4) / 4) = sqrt(15); middles (c = 3):
    # sqrt(10) sqrt((15 - 9) / 4) = sqrt(15) too. Window sums: 3, 6, 9, 17, 14, so
    # z = [3 - 8, 6 - 12, 9 - 12, 17 - 12, 14 - 8] / sqrt(15) = [-5, -6, -3, 5, 6] / sqrt(15).
    result = hotspots([1, 2, 3, 4, 10], _chain(5), inference="normal")
    np.testing.assert_allclose(result.z, np.array([-5, -6, -3, 5, 6]) / math.sqrt(15))
    # Normal two-sided p: area 4 has z = 6 / sqrt(15) = 1.549, p = 0.1213.
    assert result.p[4] == pytest.approx(0.12133, abs=1e-4)


def test_randomisation_p_hand_example() -> None:
    # Chain 0-1-2-3 with y = [0, 1, 1, 1]: a random value is 1 with probability 3/4.
    # Window sums (in units of 1) and their null (sum of c random values):
    #   area 0: {0, 1} sum 1, c = 2: P(T <= 1) = 1/16 + 6/16 = 7/16 -> p = 14/16
    #   area 1: {0, 1, 2} sum 2, c = 3: P(T <= 2) = 37/64, P(T >= 2) = 54/64 -> p = 1
    #   area 2: {1, 2, 3} sum 3, c = 3: P(T >= 3) = 27/64 -> p = 54/64
    #   area 3: {2, 3} sum 2, c = 2: P(T >= 2) = 9/16 -> p = 1
    result = hotspots([0, 1, 1, 1], _chain(4))
    np.testing.assert_allclose(result.p, [14 / 16, 1, 54 / 64, 1], atol=1e-12)
    assert result.inference == "randomisation"
    assert list(result.label) == [NOT_FLAGGED] * 4


def test_islands_are_linked_to_their_nearest_areas() -> None:
    # A 4 x 4 block (index = row * 4 + col) and a square far east of the block's top-right
    # corner, centre (10.5, 3.6). Nearest centres: (3.5, 3.5) = index 15 (distance 7.0007),
    # then (3.5, 2.5) = index 11 (7.086) before (2.5, 3.5) = index 14 (8.0006).
    polygons = [*_grid(4, 4), shapely.box(10, 3.1, 11, 4.1)]
    one = contiguity_weights(polygons)
    assert one.islands == [16]
    assert one.w.neighbors[16] == [15]
    assert 16 in one.w.neighbors[15]  # linked both ways
    assert one.w.transform == "R"
    assert sum(one.w.weights[15]) == pytest.approx(1.0)
    assert not one.w.islands

    two = contiguity_weights(polygons, k=2)
    assert sorted(two.w.neighbors[16]) == [11, 15]

    # The island now takes part in Gi*; it drops out only if its neighbours are missing.
    values = np.arange(17, dtype=float)
    assert hotspots(values, one.w).tested.all()
    values[15] = np.nan
    result = hotspots(values, one.w)
    assert not result.tested[15]
    assert not result.tested[16]
    assert np.isnan(result.p[16])
    assert result.label[16] == NOT_FLAGGED
    assert result.tested[:15].all()


def test_window_covering_every_area_is_not_tested() -> None:
    # 3 x 3 grid: the centre's Queen window is all 9 areas, so Gi* has no variance there.
    result = hotspots(np.arange(9.0), contiguity_weights(_grid(3, 3)).w)
    assert list(np.flatnonzero(~result.tested)) == [4]
    assert np.isnan(result.z[4])
    assert result.label[4] == NOT_FLAGGED


def test_contiguity_without_islands_reports_none() -> None:
    result = contiguity_weights(_grid(4, 3))
    assert result.islands == []
    assert result.w.neighbors[0] == [1, 4, 5]


def test_contiguity_rejects_empty_geometries() -> None:
    with pytest.raises(ValueError, match="missing or empty"):
        contiguity_weights([shapely.box(0, 0, 1, 1), shapely.Polygon()])


@pytest.mark.parametrize("inference", ["randomisation", "normal"])
def test_hotspots_find_a_planted_cluster(grid20: W, inference: str) -> None:
    rng = np.random.default_rng(20240601)
    values = rng.normal(100, 10, (20, 20))
    values[8:11, 8:11] += 30  # a 3 x 3 block raised by 3 sd
    result = hotspots(values.ravel(), grid20, inference=inference)  # type: ignore[arg-type]
    label = result.label.reshape(20, 20)
    assert (label[8:11, 8:11] == HOT).sum() >= 5
    assert label[9, 9] == HOT
    # Hot only where the window overlaps the block. With this seed the noise also holds
    # one real cold cluster (around row 5, col 3: values 74-85); FDR control allows a few
    # such discoveries, but they must stay a small share.
    outside = np.ones((20, 20), dtype=bool)
    outside[7:12, 7:12] = False
    assert not (label[outside] == HOT).any()
    assert (label[outside] != NOT_FLAGGED).sum() <= 0.2 * (label != NOT_FLAGGED).sum()
    assert morans_i(values.ravel(), grid20).z > 0


def test_hotspots_on_noise_keep_the_false_discovery_rate(grid20: W) -> None:
    # Under pure noise every flag is false, so FDR = P(any flag) <= alpha = 0.05. Skewed
    # (exponential) noise is the hard case: the normal p flags about 30% of such maps.
    # 100 maps: Bin(100, 0.05) exceeds 11 with probability below 0.5%.
    rng = np.random.default_rng(7)
    maps_with_flags = sum(
        bool((hotspots(rng.exponential(100, 400), grid20).label != NOT_FLAGGED).any())
        for _ in range(100)
    )
    assert maps_with_flags <= 11


def test_missing_values_are_not_tested(grid20: W) -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(100, 10, 400)
    values[[0, 57, 399]] = np.nan
    result = hotspots(values, grid20)
    assert list(np.flatnonzero(~result.tested)) == [0, 57, 399]
    assert np.isnan(result.z[[0, 57, 399]]).all()
    assert np.isnan(result.q[57])
    assert (result.label[[0, 57, 399]] == NOT_FLAGGED).all()


def test_permutation_inference_is_two_sided_and_seeded() -> None:
    y = np.array([1, 2, 3, 4, 10, 9, 8, 2, 1, 0.5])
    first = hotspots(y, _chain(10), permutations=199, seed=5, inference="permutation")
    again = hotspots(y, _chain(10), permutations=199, seed=5, inference="permutation")
    np.testing.assert_array_equal(first.p, again.p)
    assert first.inference == "permutation"
    assert ((first.p >= 2 / 200) & (first.p <= 1)).all()


def test_hotspots_check_alignment() -> None:
    with pytest.raises(ValueError, match="3 values but 5 areas"):
        hotspots([1, 2, 3], _chain(5))
