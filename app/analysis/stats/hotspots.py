"""Spatial clusters of areas: Getis-Ord Gi* hot and cold spots, local Moran (LISA)
quadrants, and global Moran's I.

Weights are Queen contiguity between the area polygons. Areas with no contiguous neighbour
(islands: real islands, or enclaves cut off when boundaries were generalised) are linked to
their nearest areas, so that every area takes part in the local statistics.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np
import shapely
from esda.getisord import G_Local
from esda.moran import Moran, Moran_Local
from libpysal.graph import Graph
from libpysal.weights import Queen, W
from numpy.typing import ArrayLike, NDArray
from scipy import fft, sparse, stats
from scipy.spatial import cKDTree

from app.analysis.stats.fdr import bh_qvalues

HOT = "hot"
COLD = "cold"
NOT_FLAGGED = ""
Inference = Literal["randomisation", "normal", "permutation"]
# Values are rounded to this many levels for the exact randomisation distribution: a
# rounding error below 1/8000 of their range, and one FFT of about 4096 x (window size).
_LEVELS = 4096


class Contiguity(NamedTuple):
    """Row-standardised weights, and the positions of the islands that were linked."""

    w: W
    islands: list[int]


@dataclass(frozen=True)
class Hotspots:
    """Gi* per area, aligned with the values; NaN (and label "") where not tested.

    ``z`` is the Gi* z score, ``p`` its two-sided p-value, ``q`` the Benjamini-Hochberg
    q-value across the tested areas and ``label`` "hot" / "cold" where ``q <= alpha``.
    ``inference`` says where ``p`` came from (see ``hotspots``).
    """

    z: NDArray[np.float64]
    p: NDArray[np.float64]
    q: NDArray[np.float64]
    label: NDArray[np.str_]
    tested: NDArray[np.bool_]
    inference: str


@dataclass(frozen=True)
class MoranResult:
    """Global Moran's I with its expectation and normal-approximation z and two-sided p."""

    i: float
    expected: float
    z: float
    p: float
    n: int


def contiguity_weights(geometries: Sequence[Any] | NDArray[Any], k: int = 1) -> Contiguity:
    """Queen contiguity weights between (Multi)Polygons given in EPSG:4326 (lon/lat).

    Each island is linked, both ways, to its ``k`` nearest areas by centroid distance, so
    that Gi* and Moran's I see it; the distance is the chord between the centroids on the
    unit sphere, which orders neighbours exactly as great-circle distance does (no
    projection needed, valid anywhere). Ids are the positions 0..n-1; the weights are
    row-standardised.
    """
    geoms = np.asarray(geometries, dtype=object)
    if geoms.ndim != 1 or geoms.size == 0:
        raise ValueError("geometries must be a non-empty one-dimensional sequence")
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if bad.any():
        raise ValueError(f"{int(bad.sum())} geometries are missing or empty")
    n = geoms.size
    queen = Queen.from_iterable(geoms, silence_warnings=True)
    islands = sorted(int(i) for i in queen.islands)
    k = min(k, n - 1)
    if not islands or k < 1:
        queen.transform = "R"
        return Contiguity(queen, [] if k < 1 else islands)

    centroids = shapely.centroid(geoms)
    lon = np.radians(shapely.get_x(centroids))
    lat = np.radians(shapely.get_y(centroids))
    xyz = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    isl = np.asarray(islands)
    _, idx = cKDTree(xyz).query(xyz[isl], k=k + 1)
    # Drop the island itself (usually first; not always when centroids coincide).
    not_self = idx != isl[:, None]
    nearest = np.take_along_axis(idx, np.argsort(~not_self, axis=1, kind="stable"), axis=1)[:, :k]

    neighbours = {i: list(queen.neighbors[i]) for i in range(n)}
    for i, targets in zip(islands, nearest.tolist(), strict=True):
        for j in targets:
            neighbours[i].append(j)
            neighbours[j].append(i)
    w = W(neighbours, id_order=list(range(n)), silence_warnings=True)
    w.transform = "R"
    return Contiguity(w, islands)


def hotspots(
    values: ArrayLike,
    weights: Any,
    alpha: float = 0.05,
    permutations: int = 999,
    seed: int = 12345,
    *,
    inference: Inference = "randomisation",
) -> Hotspots:
    """Getis-Ord Gi* hot and cold spots, with false discovery rate control across areas.

    ``values`` are aligned with the weights' id order; pass rates or standardised ratios
    (or their change, for clusters of deterioration), never counts. Gi* uses the binary
    contiguity of ``weights`` (any W or Graph), each area counted in its own window (the
    "star"); ``z`` is esda's analytical Gi* z. Areas with a NaN value, or whose neighbours
    all have NaN values, are left out (weights subset) and reported as not tested.

    ``inference`` chooses the p-value:

    - "randomisation" (default): exact tail of the window sum under random allocation of
      the values to areas (see ``_randomisation_p``). Unlike the normal p it keeps the
      false discovery rate on skewed values (rates, ratios), and unlike permutations it
      has no floor, so Benjamini-Hochberg over thousands of areas can still reject.
    - "normal": two-sided normal p of z (Ord & Getis 1995; ArcGIS' hot spot analysis).
      Fast, but anti-conservative on right-skewed values with few neighbours.
    - "permutation": esda's conditional permutations (``permutations``, ``seed``), made
      two-sided. Its floor of 1 / (permutations + 1) means BH over m areas rejects nothing
      until m / ((permutations + 1) * alpha) areas reach the floor (20 of 500 areas at
      999 permutations); and without numba it costs seconds at 35,000 areas.
    """
    if inference not in ("randomisation", "normal", "permutation"):
        raise ValueError(f"unknown inference {inference!r}")
    y = np.asarray(values, dtype=np.float64).ravel()
    adjacency = _adjacency(weights, binary=True)
    if adjacency.shape[0] != y.size:
        raise ValueError(f"{y.size} values but {adjacency.shape[0]} areas in the weights")
    keep, sub = _subset(adjacency, np.isfinite(y))
    z = np.full(y.size, np.nan)
    p = np.full(y.size, np.nan)
    high = np.zeros(y.size, dtype=bool)
    yk = y[keep]
    if keep.size >= 3 and np.ptp(yk) > 0:
        # Gi* is a ratio that needs positive values; its z and p do not change when a
        # constant is added, so shift (which also keeps the ratio well conditioned).
        shifted = yk - yk.min() + yk.std()
        use_esda_p = inference == "permutation"
        # A window covering every tested area has no variance: z is NaN, area not tested.
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            # esda announces a future change of default alternative; we make p two-sided.
            warnings.simplefilter("ignore", DeprecationWarning)
            gi = G_Local(
                shifted,
                Graph.from_sparse(sub),
                transform="B",
                star=True,
                permutations=permutations if use_esda_p else 0,
                seed=seed,
                n_jobs=1,
                keep_simulations=False,
            )
        zk = np.asarray(gi.Zs, dtype=np.float64)
        high[keep] = zk > 0
        if inference == "randomisation":
            pk, high[keep] = _randomisation_p(yk, sub)
        elif use_esda_p:
            # esda's p_sim is the smaller tail ("directed"), half the two-sided value, kept
            # in float32: back to an exact count over permutations + 1.
            pk = np.rint(np.asarray(gi.p_sim, dtype=np.float64) * (permutations + 1))
            pk = np.minimum(1.0, 2.0 * pk / (permutations + 1))
        else:
            pk = 2.0 * stats.norm.sf(np.abs(zk))
        z[keep] = zk
        p[keep] = np.where(np.isfinite(zk), pk, np.nan)
    q = bh_qvalues(p)
    flagged = np.nan_to_num(q, nan=np.inf) <= alpha
    label = np.where(flagged, np.where(high, HOT, COLD), NOT_FLAGGED)
    return Hotspots(z=z, p=p, q=q, label=label, tested=~np.isnan(p), inference=inference)


def morans_i(values: ArrayLike, weights: Any) -> MoranResult:
    """Global Moran's I on row-standardised ``weights``: is there clustering at all?

    Normal-approximation z and two-sided p (esda's ``z_norm``, ``p_norm``). Areas with NaN
    values, or left without neighbours once those are dropped, are excluded.
    """
    y = np.asarray(values, dtype=np.float64).ravel()
    adjacency = _adjacency(weights, binary=False)
    if adjacency.shape[0] != y.size:
        raise ValueError(f"{y.size} values but {adjacency.shape[0]} areas in the weights")
    keep, sub = _subset(adjacency, np.isfinite(y))
    if keep.size < 3 or np.ptp(y[keep]) == 0:
        return MoranResult(np.nan, np.nan, np.nan, np.nan, int(keep.size))
    mi = Moran(y[keep], Graph.from_sparse(sub), transformation="r", permutations=0)
    return MoranResult(
        float(mi.I), float(mi.EI), float(mi.z_norm), float(mi.p_norm), int(keep.size)
    )


LISA_QUADRANTS = {1: "high-high", 2: "low-high", 3: "low-low", 4: "high-low"}


def lisa_quadrants(values: ArrayLike, weights: Any) -> NDArray[np.str_]:
    """Local Moran (LISA, Anselin 1995) quadrant of each area: "high-high" where the area
    and its neighbours are both above the mean (a cluster of high values), "high-low"
    where it is an outlier above low neighbours, and so on; "" where not tested (NaN, or
    no usable neighbour). Descriptive: it says what kind of place a cluster is, and the
    cluster's significance comes from elsewhere."""
    y = np.asarray(values, dtype=np.float64).ravel()
    adjacency = _adjacency(weights, binary=False)
    if adjacency.shape[0] != y.size:
        raise ValueError(f"{y.size} values but {adjacency.shape[0]} areas in the weights")
    keep, sub = _subset(adjacency, np.isfinite(y))
    out = np.full(y.size, "", dtype="<U9")
    if keep.size < 3 or np.ptp(y[keep]) == 0:
        return out
    local = Moran_Local(y[keep], Graph.from_sparse(sub), transformation="r", permutations=0)
    out[keep] = [LISA_QUADRANTS.get(int(q), "") for q in np.asarray(local.q).ravel()]
    return out


def _adjacency(weights: Any, *, binary: bool) -> sparse.csr_array:
    """The weights as a CSR array without self-weights; all ones when ``binary``."""
    coo = sparse.coo_array(weights.sparse)
    off = (coo.row != coo.col) & (coo.data != 0)
    data = np.ones(int(off.sum())) if binary else coo.data[off].astype(np.float64)
    return sparse.csr_array((data, (coo.row[off], coo.col[off])), shape=coo.shape)


def _subset(
    adjacency: sparse.csr_array, usable: NDArray[np.bool_]
) -> tuple[NDArray[np.intp], sparse.csr_array]:
    """Usable areas that keep at least one usable neighbour, and their weights.

    Repeats because with asymmetric weights dropping one area can strand another.
    """
    keep = np.flatnonzero(usable)
    sub = adjacency[keep][:, keep]
    while keep.size:
        has = np.diff(sub.indptr) > 0
        if has.all():
            break
        keep, sub = keep[has], sub[has][:, has]
    return keep, sparse.csr_array(sub)


def _randomisation_p(
    y: NDArray[np.float64], adjacency: sparse.csr_array
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Two-sided p of each window sum (area plus neighbours) under random allocation.

    The null distribution of the sum of c values drawn at random from all the values is
    the c-fold convolution of their distribution: exact (for values rounded to _LEVELS
    levels) by FFT, one per window size rather than one per area. Drawing with replacement
    makes the variance larger than permutation's by (n - 1) / (n - c), slightly
    conservative. Also returns which areas are in the upper tail.
    """
    step = np.ptp(y) / (_LEVELS - 1)
    level = np.rint((y - y.min()) / step).astype(np.int64)
    pmf = np.bincount(level, minlength=_LEVELS) / y.size
    window = np.rint(adjacency @ level.astype(np.float64)).astype(np.int64) + level
    size = np.diff(adjacency.indptr) + 1
    length = fft.next_fast_len(int(size.max()) * (_LEVELS - 1) + 1, real=True)
    spectrum = fft.rfft(pmf, length)
    lower = np.empty(y.size)
    upper = np.empty(y.size)
    for c in np.unique(size):
        dist = np.clip(fft.irfft(spectrum**c, length)[: c * (_LEVELS - 1) + 1], 0.0, None)
        dist /= dist.sum()
        at = size == c
        lower[at] = np.cumsum(dist)[window[at]]
        # Summed from the top so that tiny upper tails keep their precision.
        upper[at] = np.cumsum(dist[::-1])[::-1][window[at]]
    return np.minimum(1.0, 2.0 * np.minimum(lower, upper)), upper < lower
