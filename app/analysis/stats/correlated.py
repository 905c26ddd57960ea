"""Several indicators getting worse together: per area, and as pairs across the city.

Per area, the question "are at least two indicators deteriorating here?" is a partial
conjunction hypothesis (Benjamini & Heller 2008): its null is "fewer than u of the n
indicators changed". The Simes-based partial-conjunction p-value of u out of n, from the
ordered one-sided p-values ``p(1) <= ... <= p(n)``, is::

    p_pc = min over i = u..n of  (n - u + 1) / (i - u + 1) * p(i)

i.e. Simes' test on the n - u + 1 largest p-values: if at most u - 1 indicators changed,
those include only unchanged ones, so the test is valid whenever Simes is (independent
or positively dependent p-values). By default the indicators of one agency are first
combined by Simes into one p-value per agency, so a discovery means two *agencies* see a
deterioration, not one agency counting the same incidents twice.

Across areas the false discovery rate is controlled by Benjamini-Hochberg on the Simes
partial-conjunction p-values (``fdr="bh"``), or, by default, by AdaFilter-BH (Wang, Gui,
Su, Sabatti & Owen 2022, Ann. Stat. 50:1890), which is BH on the Bonferroni
partial-conjunction p-values ``S = (n - u + 1) p(u)`` with the number of areas replaced
by the number that could have been rejected at all, ``#{F <= t}`` with
``F = (n - u + 1) p(u - 1)``. Most areas have no deteriorating agency, their
partial-conjunction p-values are far above uniform, and plain BH pays for them in full;
AdaFilter does not. It assumes that the agencies' p-values in one area are independent
when unchanged (distinct data sources; the within-agency Simes step allows dependence
inside an agency). A naive "two at p < 0.05" rule has no control at all (about 20
false areas per 500 with seven indicators when nothing changed).

City-wide, :func:`cooccurring_pairs` asks which pairs of indicators deteriorate in the
same areas more often than chance, with a permutation null that shuffles areas only
within deprivation strata (deprived areas see more of everything; that is not a link).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from app.analysis.stats.fdr import bh_qvalues


@dataclass
class CorrelatedResult:
    """Per area (shape (n_areas,)); p and q are NaN where too few indicators were tested."""

    p: NDArray[np.float64]  # partial-conjunction p: at least `at_least` deteriorating
    q: NDArray[np.float64]  # across areas (AdaFilter-BH by default, or BH)
    drivers: list[list[int]]  # indicator columns behind the evidence, smallest p first
    spans_agencies: NDArray[np.bool_]  # drivers come from two or more agencies
    significant: NDArray[np.bool_]  # q <= the requested level


class PairResult(NamedTuple):
    """One pair of indicators: co-deterioration across areas against its permutation null.

    A named tuple, so it unpacks as ``(i, j, observed, expected, p, q)``.
    """

    i: int
    j: int
    observed: float  # sum over areas of signal_i * signal_j
    expected: float  # its mean under within-stratum permutation
    p: float  # one-sided: more co-occurrence than chance
    q: float  # Benjamini-Hochberg across pairs


def simes_partial_conjunction(
    p: ArrayLike, at_least: int = 2
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Partial-conjunction p-value of each row (NaN = not tested), and the Simes rank.

    Returns ``(p_pc, rank)``: ``rank`` is the i at which the minimum above is reached,
    i.e. how many of the smallest p-values carry the evidence (0 where not tested).
    """
    arr = np.atleast_2d(np.asarray(p, dtype=np.float64))
    n_rows, n_cols = arr.shape
    ordered = np.sort(arr, axis=1)  # NaN sort last
    n = np.sum(~np.isnan(arr), axis=1)
    pc = np.full(n_rows, np.nan)
    rank = np.zeros(n_rows, dtype=np.int64)
    if at_least < 1 or n_cols < at_least:
        return pc, rank
    i = np.arange(at_least, n_cols + 1)
    factor = (n[:, None] - at_least + 1) / (i - at_least + 1)[None, :]
    values = np.where(i[None, :] <= n[:, None], factor * ordered[:, at_least - 1 :], np.inf)
    best = np.argmin(values, axis=1)
    ok = n >= at_least
    pc[ok] = np.minimum(values[ok, best[ok]], 1.0)
    rank[ok] = best[ok] + at_least
    return pc, rank


def adafilter_qvalues(select: ArrayLike, filt: ArrayLike) -> NDArray[np.float64]:
    """AdaFilter-BH q-values from selection statistics S and filtering statistics F <= S.

    ``q_j = min over t >= S_j of t * #{F <= t} / #{S <= t}``; rejecting ``q <= alpha``
    is AdaFilter-BH at level alpha. NaN = not tested.
    """
    s_all = np.asarray(select, dtype=np.float64)
    f_all = np.asarray(filt, dtype=np.float64)
    q = np.full(s_all.shape, np.nan)
    idx = np.flatnonzero(~np.isnan(s_all))
    if idx.size == 0:
        return q
    order = idx[np.argsort(s_all[idx], kind="stable")]
    s_sorted = s_all[order]
    could = np.searchsorted(np.sort(f_all[idx]), s_sorted, side="right")
    fdp = s_sorted * could / np.arange(1, idx.size + 1)
    q[order] = np.minimum(np.minimum.accumulate(fdp[::-1])[::-1], 1.0)
    return q


def correlated_deterioration(
    p: ArrayLike,
    agencies: Sequence[str],
    q: float = 0.05,
    at_least: int = 2,
    *,
    by_agency: bool = True,
    fdr: Literal["adafilter", "bh"] = "adafilter",
) -> CorrelatedResult:
    """Areas where at least ``at_least`` agencies (or indicators) deteriorate together.

    Parameters
    ----------
    p : (n_areas, n_indicators) one-sided deterioration p-values; NaN = not tested.
    agencies : the agency of each indicator column.
    q : false discovery rate across areas for ``significant``.
    at_least : how many must deteriorate.
    by_agency : combine each agency's indicators first (Simes), so that the conjunction
        is over agencies; otherwise over indicators.
    fdr : "adafilter" (default; p is the Bonferroni partial-conjunction p) or "bh"
        (p is the Simes partial-conjunction p, q its Benjamini-Hochberg q-value).
    """
    arr = np.atleast_2d(np.asarray(p, dtype=np.float64))
    n_areas, n_ind = arr.shape
    if len(agencies) != n_ind:
        raise ValueError("one agency per indicator column")
    if by_agency:
        names = sorted(set(agencies))
        groups = [np.flatnonzero(np.asarray(agencies) == name) for name in names]
        units = np.full((n_areas, len(groups)), np.nan)
        inner_rank = np.zeros((n_areas, len(groups)), dtype=np.int64)
        for g, cols in enumerate(groups):  # a loop over agencies, not areas
            units[:, g], inner_rank[:, g] = simes_partial_conjunction(arr[:, cols], 1)
        pc, rank = simes_partial_conjunction(units, at_least)
        behind = _agency_drivers(arr, units, groups, inner_rank, rank)
    else:
        units = arr
        pc, rank = simes_partial_conjunction(arr, at_least)
        behind = _ranks(arr) <= rank[:, None]
    # Indicators behind the evidence, smallest p first, and how many agencies they span.
    order = np.argsort(np.where(behind, arr, np.inf), axis=1, kind="stable")
    drivers = [row[:count].tolist() for row, count in zip(order, behind.sum(axis=1), strict=True)]
    agency_names, agency_index = np.unique(np.asarray(agencies), return_inverse=True)
    onehot = np.eye(agency_names.size, dtype=np.int64)[agency_index]
    spans = (behind.astype(np.int64) @ onehot > 0).sum(axis=1) >= 2
    if fdr == "adafilter":
        pc, filt = bonferroni_partial_conjunction(units, at_least)
        qv = adafilter_qvalues(pc, filt)
    else:
        qv = bh_qvalues(pc)
    return CorrelatedResult(
        p=pc,
        q=qv,
        drivers=drivers,
        spans_agencies=np.asarray(spans, dtype=np.bool_),
        significant=np.asarray(np.nan_to_num(qv, nan=np.inf) <= q),
    )


def correlated_families(
    families: Sequence[tuple[ArrayLike, Sequence[str]]],
    q: float = 0.05,
    at_least: int = 2,
) -> list[CorrelatedResult]:
    """:func:`correlated_deterioration` over several families of areas at once (the same
    city at several resolutions: LSOAs, wards), with one AdaFilter-BH across all their
    areas, so that the false discovery rate holds over every correlated area the run
    reports, whatever the resolution. Each family is ``(p, agencies)`` as for
    :func:`correlated_deterioration`; one result per family, in order. With one family
    this is :func:`correlated_deterioration` itself.

    AdaFilter's guarantee assumes areas independent of each other; an area and the larger
    one holding it share events, so theirs are positively dependent. No proof covers that
    case: the benchmark measures it (``bench/bench_alerts.py``, a joint rise over one
    ward's LSOAs, LSOAs and wards tested together) and a test checks false areas stay
    rare on nested null panels.
    """
    results = [correlated_deterioration(p, ag, q, at_least) for p, ag in families]
    if len(results) < 2:
        return results
    select, filt = [], []
    for p, agencies in families:
        units = _agency_units(np.atleast_2d(np.asarray(p, dtype=np.float64)), agencies)
        s, f = bonferroni_partial_conjunction(units, at_least)
        select.append(s)
        filt.append(f)
    qv = adafilter_qvalues(np.concatenate(select), np.concatenate(filt))
    out = []
    for result, part in zip(
        results, np.split(qv, np.cumsum([s.size for s in select])[:-1]), strict=True
    ):
        out.append(
            CorrelatedResult(
                p=result.p,
                q=part,
                drivers=result.drivers,
                spans_agencies=result.spans_agencies,
                significant=np.asarray(np.nan_to_num(part, nan=np.inf) <= q),
            )
        )
    return out


def _agency_units(arr: NDArray[np.float64], agencies: Sequence[str]) -> NDArray[np.float64]:
    """Each agency's indicators combined by Simes (one column per agency, sorted)."""
    names = sorted(set(agencies))
    cols = [np.flatnonzero(np.asarray(agencies) == name) for name in names]
    return np.column_stack([simes_partial_conjunction(arr[:, c], 1)[0] for c in cols])


def bonferroni_partial_conjunction(
    p: ArrayLike, at_least: int = 2
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Bonferroni partial-conjunction p ``(n - u + 1) p(u)`` of each row, and AdaFilter's
    filtering statistic ``(n - u + 1) p(u - 1)`` (0 when u = 1); NaN = not tested."""
    arr = np.atleast_2d(np.asarray(p, dtype=np.float64))
    ordered = np.sort(arr, axis=1)
    n = np.sum(~np.isnan(arr), axis=1)
    ok = n >= at_least
    factor = np.where(ok, n - at_least + 1, np.nan)
    select = np.full(arr.shape[0], np.nan)
    filt = np.full(arr.shape[0], np.nan)
    if at_least < 1 or arr.shape[1] < at_least:
        return select, filt
    select[ok] = np.minimum(factor[ok] * ordered[ok, at_least - 1], 1.0)
    below = ordered[ok, at_least - 2] if at_least >= 2 else np.zeros(int(ok.sum()))
    filt[ok] = np.minimum(factor[ok] * below, 1.0)
    return select, filt


def _ranks(p: NDArray[np.float64]) -> NDArray[np.int64]:
    """Rank of each p-value within its row (1 = smallest; NaN last)."""
    order = np.argsort(np.where(np.isnan(p), np.inf, p), axis=1, kind="stable")
    return np.asarray(np.argsort(order, axis=1) + 1, dtype=np.int64)


def _agency_drivers(
    p: NDArray[np.float64],
    combined: NDArray[np.float64],
    groups: list[NDArray[np.intp]],
    inner_rank: NDArray[np.int64],
    rank: NDArray[np.int64],
) -> NDArray[np.bool_]:
    """Which indicators are behind each area's evidence: within the ``rank`` strongest
    agencies, each agency's indicators up to that agency's own Simes rank."""
    group_of = np.empty(p.shape[1], dtype=np.int64)
    inner_pos = np.zeros(p.shape, dtype=np.int64)
    for g, cols in enumerate(groups):
        group_of[cols] = g
        inner_pos[:, cols] = _ranks(p[:, cols])
    agency_pos = _ranks(combined)  # 1 = the agency with the smallest combined p
    behind = (agency_pos[:, group_of] <= rank[:, None]) & (inner_pos <= inner_rank[:, group_of])
    return np.asarray(behind & ~np.isnan(p), dtype=np.bool_)


def cooccurring_pairs(
    flags_or_scores: ArrayLike,
    strata: ArrayLike,
    permutations: int = 999,
    seed: int = 0,
) -> list[PairResult]:
    """Pairs of indicators that deteriorate in the same areas more often than chance.

    Parameters
    ----------
    flags_or_scores : (n_areas, n_indicators) deterioration flags (0/1, much the fastest)
        or scores (e.g. positive z); NaN counts as 0, infinity as the largest score.
    strata : (n_areas,) integer stratum per area, e.g. the deprivation decile.
    permutations : number of within-stratum permutations.

    Returns ``(i, j, observed, expected, p, q)`` for every pair i < j, by ascending p.
    The statistic is ``sum_a x_ai * x_aj`` (for flags: areas flagged for both). Its
    null: areas exchangeable within strata, which keeps each indicator's link with
    deprivation and breaks only the link between indicators. Each permutation shuffles
    the areas of one copy of the matrix within strata and pairs it with the unshuffled
    original: for every pair (i, j), i < j, ``sum_a x_ai * x_pi(a)j`` then has exactly
    the within-stratum permutation distribution, and all pairs come from one product.
    (Each pair's p-value is a valid permutation p-value; the pairs share permutations,
    which only makes their p-values dependent, as they are anyway through shared
    indicators.)
    p = (1 + #{permuted >= observed}) / (1 + permutations).
    """
    x = np.asarray(flags_or_scores, dtype=np.float64)
    # NaN is no evidence; an infinite score (z of a p-value that underflowed to 0) is
    # capped at the largest finite one, so that products stay finite.
    finite = x[np.isfinite(x)]
    cap = float(np.abs(finite).max()) if finite.size else 0.0
    x = np.nan_to_num(x, nan=0.0, posinf=cap, neginf=-cap)
    groups = np.asarray(strata)
    if x.ndim != 2 or groups.shape != (x.shape[0],):
        raise ValueError("flags_or_scores is areas x indicators and strata one per area")
    n_ind = x.shape[1]
    order = np.argsort(groups, kind="stable")
    x = np.ascontiguousarray(x[order])
    _, starts = np.unique(groups[order], return_index=True)
    bounds = [*starts.tolist(), x.shape[0]]
    blocks = [(bounds[b], bounds[b + 1]) for b in range(len(bounds) - 1)]

    observed = x.T @ x
    # Exact permutation mean: per stratum, (sum of x_i)(sum of x_j) / stratum size.
    expected = np.zeros((n_ind, n_ind))
    for lo, hi in blocks:
        sums = x[lo:hi].sum(axis=0)
        expected += np.outer(sums, sums) / (hi - lo)
    rng = np.random.default_rng(seed)
    product = _permuted_product(x)
    exceed = np.zeros((n_ind, n_ind))
    tolerance = 1e-9 * np.abs(observed)  # ties in floating point count as ties
    index = np.empty(x.shape[0], dtype=np.intp)
    for _ in range(permutations):
        for lo, hi in blocks:
            index[lo:hi] = lo + rng.permutation(hi - lo)
        exceed += product(index) >= observed - tolerance
    pvals = (1.0 + exceed) / (1.0 + permutations)
    iu, ju = np.triu_indices(n_ind, k=1)
    qvals = bh_qvalues(pvals[iu, ju])
    rows = [
        PairResult(
            int(i), int(j), float(observed[i, j]), float(expected[i, j]), float(pv), float(qv)
        )
        for i, j, pv, qv in zip(iu, ju, pvals[iu, ju], qvals, strict=True)
    ]
    return sorted(rows, key=lambda r: (r.p, r.i, r.j))


def _permuted_product(x: NDArray[np.float64]) -> Callable[[NDArray[np.intp]], NDArray[np.float64]]:
    """``index -> M`` with ``M[i, j] = sum_a x[a, i] * x[index[a], j]``, made fast.

    0/1 flags are usually sparse: only the rows flagged for i matter to row i of M, so
    those rows of the shuffled flags are gathered (as bytes) and summed. Scores use one
    product over all areas, by einsum rather than BLAS: the product is small, and a
    threaded BLAS on a busy machine spends longer synchronising than multiplying.
    """
    n_ind = x.shape[1]
    if np.isin(x, (0.0, 1.0)).all():
        flags = x.astype(np.uint8)
        active = [i for i in range(n_ind) if flags[:, i].any()]
        rows = [np.flatnonzero(flags[:, i]) for i in active]
        flat = np.concatenate(rows) if rows else np.empty(0, dtype=np.intp)
        starts = np.cumsum([0] + [r.size for r in rows[:-1]])

        def count(index: NDArray[np.intp]) -> NDArray[np.float64]:
            out = np.zeros((n_ind, n_ind))
            if active:
                gathered = np.take(flags, index[flat], axis=0)
                out[active] = np.add.reduceat(gathered, starts, axis=0, dtype=np.int64)
            return out

        return count
    x_t = np.ascontiguousarray(x.T)  # indicators x areas: each row contiguous
    shuffled = np.empty_like(x_t)

    def multiply(index: NDArray[np.intp]) -> NDArray[np.float64]:
        np.take(x_t, index, axis=1, out=shuffled)
        return np.asarray(np.einsum("ia,ja->ij", x_t, shuffled), dtype=np.float64)

    return multiply
