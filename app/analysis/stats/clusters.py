"""Clusters of neighbouring areas getting worse together, from their pooled evidence.

A change spread over several adjacent small areas is often too small in each to be
significant on its own: the counts of one LSOA are few. Pooling the evidence of an area
and some of its contiguous neighbours finds it, as a space-time scan statistic
(SaTScan) pools the cases of the areas inside a window. Here the windows are flexible
within a neighbourhood (an area and its contiguous ring): its m + 1 areas of highest z,
at least three, and the window's statistic is the efficient combination of their
one-sided deterioration z-scores for one shared change,

    S = sum_j w_j min(z_j, 4) / sqrt(sum_j w_j^2),   w_j = sqrt(expected count of j),

summed over the window **without its strongest area**, and maximised over m. Leaving the
strongest out means one area far out of line cannot make a cluster of itself and its
neighbours: a cluster is evidence spread over several areas, not one area's own alert
told again (that area is still reported as part of a cluster that holds without it).

The null distribution of each neighbourhood's maximum comes from Monte Carlo:
independent standard normal z-scores through the same windows and weights, pooled over
neighbourhoods of the same size (areas' tests are independent given the city's rates).
Where neighbouring areas share unexplained noise, as real cities do, windows' z-scores
spread wider than that; the correlation of neighbours' (clipped) z-scores measures it
(less three standard errors, so that one cluster's own pairs do not pass for shared
noise), and the spread it implies is divided out first. Benjamini-Hochberg across the
centres controls the false discovery rate of windows. The areas of significant windows
with z above 1.5, joined where windows share an area, are the clusters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.sparse import csgraph

from app.analysis.stats.fdr import bh_qvalues

CAP = 4.0  # z-scores are capped here (robust to one extreme area)
MIN_NEIGHBOURS = 2  # a window holds at least this many areas besides its strongest
NULL_WINDOWS = 50_000  # Monte Carlo null windows to draw (over replicates)
_BATCH_CELLS = 4_000_000  # (replicate, window, candidate) cells drawn at once
MEMBER_Z = 1.5  # an area of a significant window is in the cluster when its z is above


@dataclass(frozen=True)
class Cluster:
    """One cluster: its areas (positions), its centre (the member whose own window is
    strongest) and its strongest window's statistic and q."""

    areas: tuple[int, ...]
    centre: int
    z: float
    q: float


@dataclass(frozen=True)
class PooledClusters:
    """Per window (one per area, centred on it; NaN where not tested) and the clusters."""

    z: NDArray[np.float64]  # the window's best pooled statistic, after the spread
    p: NDArray[np.float64]  # Monte Carlo p of that maximum
    q: NDArray[np.float64]
    spread: float  # how much wider windows' z spread than for independent areas (>= 1)
    clusters: list[Cluster]


def pooled_clusters(
    z: ArrayLike,
    expected: ArrayLike,
    adjacency: sparse.sparray | sparse.spmatrix,
    alpha: float = 0.05,
    *,
    min_windows: int = 30,
    seed: int = 0,
) -> PooledClusters:
    """Windows of an area and its neighbours whose pooled evidence of deterioration is
    significant, and the clusters they make.

    Parameters
    ----------
    z : (n_areas,) one-sided deterioration z-scores (higher = worse); NaN = not tested.
    expected : (n_areas,) each area's recent count expected if nothing changed (the weight
        of its evidence; it must not depend on the change the z measures, so not the
        count its own baseline predicts: ``DeteriorationResult.weight``).
    adjacency : (n_areas, n_areas) contiguity; any non-zero off-diagonal entry links two
        areas (it is made symmetric).
    alpha : false discovery rate across windows.
    min_windows : fewer tested windows than this: nothing is tested (too few to measure
        the windows' spread).
    seed : of the Monte Carlo null.
    """
    zs = np.asarray(z, dtype=np.float64).ravel()
    w = np.sqrt(np.clip(np.asarray(expected, dtype=np.float64).ravel(), 0.0, None))
    n = zs.size
    if w.size != n or adjacency.shape != (n, n):
        raise ValueError("z, expected and adjacency must describe the same areas")
    usable = np.isfinite(zs) & np.isfinite(w) & (w > 0)
    w = np.where(usable, w, 0.0)
    link = sparse.csr_array(adjacency, dtype=np.float64)
    link = sparse.csr_array(((link + link.T) != 0).astype(np.float64))
    link.setdiag(0.0)
    link.eliminate_zeros()
    neighbours = _padded(link, usable)
    degree = (neighbours >= 0).sum(axis=1)
    tested = usable & (degree >= MIN_NEIGHBOURS)
    nan = np.full(n, np.nan)
    if int(tested.sum()) < min_windows:
        return PooledClusters(nan, nan.copy(), nan.copy(), float("nan"), [])
    spread = _window_spread(np.where(usable, zs, 0.0), w, link, tested)
    scaled = np.where(usable, zs / spread, 0.0)
    stat, size = _best_windows(scaled, w, neighbours)
    p = np.where(tested, _monte_carlo_p(stat, w, neighbours, degree, tested, seed), np.nan)
    q = bh_qvalues(p)
    significant = np.flatnonzero(np.nan_to_num(q, nan=np.inf) <= alpha)
    windows = []
    for i in significant.tolist():
        row = np.concatenate([[i], neighbours[i][neighbours[i] >= 0]])
        top = row[np.argsort(-scaled[row], kind="stable")[: size[i]]]
        windows.append((i, top[scaled[top] > MEMBER_Z]))
    stat = np.where(tested, stat, np.nan)
    return PooledClusters(stat, p, q, spread, _groups(windows, n, stat, q))


def _padded(link: sparse.csr_array, usable: NDArray[np.bool_]) -> NDArray[np.intp]:
    """Each area's usable neighbours, padded with -1 to the largest degree."""
    n = link.shape[0]
    rows = np.repeat(np.arange(n), np.diff(link.indptr))
    cols = link.indices
    keep = usable[cols]
    rows, cols = rows[keep], cols[keep]
    counts = np.bincount(rows, minlength=n)
    width = max(int(counts.max(initial=0)), 1)
    out = np.full((n, width), -1, dtype=np.intp)
    order = np.argsort(rows, kind="stable")
    rows, cols = rows[order], cols[order]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    out[rows, np.arange(rows.size) - starts[rows]] = cols
    return out


def _best_windows(
    z: NDArray[np.float64], w: NDArray[np.float64], neighbours: NDArray[np.intp]
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Each neighbourhood's (centre and first ring) largest pooled statistic over windows
    of its ``m + 1`` areas of highest z, ``m >= MIN_NEIGHBOURS``, pooled without the
    strongest of them; and that ``m + 1``. ``z`` may carry leading axes (replicates):
    the results then have them too."""
    candidates = np.column_stack([np.arange(w.size), neighbours])
    valid = candidates >= 0
    idx = np.where(valid, candidates, 0)
    zn = np.where(valid, np.minimum(z, CAP)[..., idx], -np.inf)
    order = np.argsort(-zn, axis=-1, kind="stable")
    zn = np.take_along_axis(zn, order, axis=-1)[..., 1:]  # the strongest left out
    weights = np.broadcast_to(np.where(valid, w[idx], 0.0), order.shape)
    wn = np.take_along_axis(weights, order, axis=-1)[..., 1:]
    ok = np.isfinite(zn)
    zn = np.where(ok, zn, 0.0)
    num = np.cumsum(np.where(ok, wn * zn, 0.0), axis=-1)
    den = np.cumsum(np.where(ok, wn * wn, 0.0), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(ok & (den > 0), num / np.sqrt(den), -np.inf)
    s[..., : MIN_NEIGHBOURS - 1] = -np.inf
    best = np.argmax(s, axis=-1)
    return np.take_along_axis(s, best[..., None], axis=-1)[..., 0], (best + 2).astype(np.int64)


def _monte_carlo_p(
    stat: NDArray[np.float64],
    w: NDArray[np.float64],
    neighbours: NDArray[np.intp],
    degree: NDArray[np.int64],
    tested: NDArray[np.bool_],
    seed: int,
) -> NDArray[np.float64]:
    """p of each centre's maximum against null maxima of centres with its degree, from
    enough replicates for about NULL_WINDOWS null windows (at least 20, at most 1,000),
    drawn in batches of replicates."""
    rng = np.random.default_rng(seed)
    n_tested = int(tested.sum())
    reps = int(np.clip(np.ceil(NULL_WINDOWS / n_tested), 20, 1000))
    batch = max(1, _BATCH_CELLS // (w.size * (neighbours.shape[1] + 1)))
    null = np.empty((0, w.size))
    while null.shape[0] < reps:
        size = min(batch, reps - null.shape[0])
        s, _ = _best_windows(rng.standard_normal((size, w.size)), w, neighbours)
        null = np.concatenate([null, s])
    p = np.full(stat.size, np.nan)
    for d in np.unique(degree[tested]).tolist():
        at = tested & (degree == d)
        pooled = np.sort(null[:, at].ravel())
        above = pooled.size - np.searchsorted(pooled, stat[at], side="left")
        p[at] = (1.0 + above) / (1.0 + pooled.size)
    return p


def _window_spread(
    z: NDArray[np.float64],
    w: NDArray[np.float64],
    link: sparse.csr_array,
    tested: NDArray[np.bool_],
) -> float:
    """How much wider than for independent areas the windows' pooled z spread: from the
    correlation of neighbouring areas' z-scores (clipped at +-2, so that a few changed
    areas do not pass for shared noise), as if every pair in a whole window (the centre
    and all its neighbours) were that correlated, which overstates it a little; 1 when
    neighbours are not positively correlated (assuming less noise than independence would
    only add false alarms)."""
    upper = sparse.triu(link, k=1, format="coo")
    both = tested[upper.row] & tested[upper.col]
    a, b = np.clip(z[upper.row[both]], -2, 2), np.clip(z[upper.col[both]], -2, 2)
    if a.size < 30 or a.std() == 0 or b.std() == 0:
        return 1.0
    rho = float(np.corrcoef(np.concatenate([a, b]), np.concatenate([b, a]))[0, 1])
    rho -= 3.0 / np.sqrt(a.size)  # three standard errors: a cluster's own pairs are not noise
    if not rho > 0:
        return 1.0
    window = link + sparse.eye_array(link.shape[0], format="csr")
    total, square = window @ w, window @ (w * w)
    with np.errstate(divide="ignore", invalid="ignore"):
        pairs = (total * total - square) / square
    factor = float(np.mean(pairs[tested & np.isfinite(pairs)]))
    return float(np.sqrt(1.0 + rho * factor))


def _groups(
    windows: list[tuple[int, NDArray[np.intp]]],
    n: int,
    stat: NDArray[np.float64],
    q: NDArray[np.float64],
) -> list[Cluster]:
    """Significant windows (centre, member areas) joined where they share an area: each
    group is one cluster, with its strongest window's statistic and q, and as its centre
    the member area whose own window is strongest; strongest first."""
    windows = [(c, m) for c, m in windows if m.size]
    if not windows:
        return []
    # A bipartite graph of windows and areas; its components are the clusters.
    rows = np.concatenate([np.full(m.size, k) for k, (_, m) in enumerate(windows)])
    cols = np.concatenate([m for _, m in windows]) + len(windows)
    size = len(windows) + n
    graph = sparse.coo_array((np.ones(rows.size), (rows, cols)), shape=(size, size))
    _, label = csgraph.connected_components(graph, directed=False)
    out = []
    for g in np.unique(label[: len(windows)]):
        mine = [windows[k] for k in np.flatnonzero(label[: len(windows)] == g)]
        best = max((c for c, _ in mine), key=lambda c: float(stat[c]))
        areas = sorted({int(a) for _, m in mine for a in m})
        centre = max(areas, key=lambda a: float(np.nan_to_num(stat[a], nan=-np.inf)))
        out.append(Cluster(tuple(areas), int(centre), float(stat[best]), float(q[best])))
    return sorted(out, key=lambda c: -c.z)
