"""Classifying values for a choropleth (mapclassify) and colouring the classes.

Framework-free. Palettes are ColorBrewer's 9-class sequential schemes (colour-blind
safe), sampled evenly for fewer classes (and blended between for more, as for deciles);
they are oriented by the indicator's polarity so that worse is always darker.

No class is empty, and none is a tie cut in two: when quantile breaks tie (small counts,
where many areas have 0), the classes are natural breaks (Fisher-Jenks) instead, and a
scheme that would leave a class empty gets fewer classes; ``note`` says which. Bands
(deciles, quintiles) are categories: one class per band (:func:`categories`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import mapclassify
import numpy as np
from numpy.typing import ArrayLike, NDArray

SCHEMES = {
    "quantiles": mapclassify.Quantiles,
    "fisher_jenks": mapclassify.FisherJenks,
    "equal_interval": mapclassify.EqualInterval,
}
MIN_CLASSES, MAX_CLASSES = 3, 9
FISHER_JENKS_SAMPLE = 2000

# ColorBrewer 2.0 (Cynthia Brewer, Penn State), 9-class sequential schemes.
YL_OR_RD = ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c",
            "#bd0026", "#800026")  # fmt: skip
BLUES = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5",
         "#08519c", "#08306b")  # fmt: skip
NO_DATA_COLOUR = "#ffffff"
SUPPRESSED_COLOUR = "#bdbdbd"


class ClassificationError(ValueError):
    """A scheme or number of classes that cannot be used."""


@dataclass(frozen=True)
class Classification:
    scheme: str
    lower: list[float]  # per class, inclusive for the first class
    upper: list[float]  # per class, inclusive
    classes: NDArray[np.int64]  # per value; -1 where the value is missing
    counts: list[int]
    colours: list[str]
    palette: str
    note: str | None = None  # why the classes are not the ones asked for

    def smallest(self, values: ArrayLike) -> list[float | None]:
        """Each class's smallest value of ``values`` (the ones classified), None for an
        empty class: a legend written from it has no two classes overlap."""
        y = np.asarray(values, dtype=np.float64)
        return [float(y[self.classes == c].min()) if n else None
                for c, n in enumerate(self.counts)]  # fmt: skip


def palette(polarity: str, k: int) -> tuple[list[str], str]:
    """``k`` colours, lightest for the best class, and a description of the palette."""
    if polarity == "no_judgement":
        base, name, note = BLUES, "Blues", "darker is higher"
    else:
        base, name, note = YL_OR_RD, "YlOrRd", "darker is worse"
    if k <= len(base):
        colours = [base[i] for i in np.rint(np.linspace(0, len(base) - 1, k)).astype(int)]
        shown = f"{k} of 9 classes"
    else:  # more classes than the scheme has: blended between its neighbouring colours
        colours = [_blend(base, t) for t in np.linspace(0, len(base) - 1, k)]
        shown = f"9 classes blended to {k}"
    if polarity == "higher_is_better":
        colours.reverse()  # low values are the worse ones
    return colours, f"ColorBrewer {name} ({shown}), {note}"


def _blend(base: tuple[str, ...], t: float) -> str:
    """The colour at ``t`` (0 to len(base) - 1) between the palette's neighbours."""
    i = min(int(t), len(base) - 2)
    f = t - i
    a, b = (np.array([int(c[j : j + 2], 16) for j in (1, 3, 5)]) for c in base[i : i + 2])
    r, g, bl = np.rint(a + (b - a) * f).astype(int)
    return f"#{r:02x}{g:02x}{bl:02x}"


def _scheme(scheme: str, y: NDArray[np.float64], k: int) -> mapclassify.MapClassifier:
    # Fisher-Jenks is quadratic in the number of values: beyond a few thousand areas it
    # is fitted to a sample (mapclassify's own sampled variant), then applied to all.
    if scheme == "fisher_jenks" and y.size > FISHER_JENKS_SAMPLE:
        return mapclassify.FisherJenksSampled(y, k=k, pct=FISHER_JENKS_SAMPLE / y.size)
    return SCHEMES[scheme](y, k=k)


def check(scheme: str, k: int) -> None:
    """Refuse a scheme or a number of classes that cannot be used."""
    if scheme not in SCHEMES:
        raise ClassificationError(f"scheme must be one of {', '.join(SCHEMES)}")
    if not MIN_CLASSES <= k <= MAX_CLASSES:
        raise ClassificationError(f"classes must be from {MIN_CLASSES} to {MAX_CLASSES}")


def classify(values: ArrayLike, scheme: str, k: int, polarity: str) -> Classification:
    """Classes of ``values`` (NaN = no value) by ``scheme`` into at most ``k`` classes.

    With fewer distinct values than ``k`` there are as many classes as distinct values; a
    map with no values has no classes. Quantiles whose breaks tie are replaced by natural
    breaks, and a scheme that would leave a class empty gets fewer classes (``note``).
    """
    check(scheme, k)
    y = np.asarray(values, dtype=np.float64)
    known = ~np.isnan(y)
    classes = np.full(y.shape, -1, dtype=np.int64)
    distinct, weights = np.unique(y[known], return_counts=True)
    if distinct.size == 0:
        return Classification(scheme, [], [], classes, [], [], palette(polarity, k)[1])
    asked, k = k, min(k, distinct.size)
    used, note = scheme, None
    if k == 1:
        bins = distinct[:1]
    else:
        if scheme == "quantiles" and _quantiles_tie(y[known], k):
            used = "fisher_jenks"
            note = _tie_note(distinct, weights, k)
        bins = _bins(used, y[known], distinct, weights, k)
        fewer = k
        while fewer > 2 and np.any(_counts(bins, distinct, weights) == 0):
            fewer -= 1
            bins = _bins(used, y[known], distinct, weights, fewer)
        if fewer < k:
            extra = f"{fewer} classes, not {k}: {k} would leave a class empty"
            note = extra if note is None else f"{note}; {extra}"
        elif k < asked:
            note = f"{k} classes, not {asked}: the map has {k} distinct values"
    classes[known] = np.searchsorted(bins, y[known], side="left")
    k = bins.size
    lower = [float(y[known].min())] + [float(b) for b in bins[:-1]]
    counts = [int(np.sum(classes == c)) for c in range(k)]
    colours, description = palette(polarity, k) if k >= 2 else ([YL_OR_RD[4]], "single class")
    return Classification(
        used, lower, [float(b) for b in bins], classes, counts, colours, description, note
    )


def categories(values: ArrayLike, bands: int, polarity: str) -> Classification | None:
    """One class per band 1 to ``bands`` (a decile's 1 to 10), each with its own colour
    whether or not an area is in it, so that maps of one banding compare; None when a
    value is not a whole band (then the values are classified as quantities) or there is
    none (a map without values has no classes)."""
    y = np.asarray(values, dtype=np.float64)
    known = ~np.isnan(y)
    present = y[known]
    if present.size == 0 or np.any(
        (present < 1) | (present > bands) | (present != np.rint(present))
    ):
        return None
    classes = np.full(y.shape, -1, dtype=np.int64)
    classes[known] = present.astype(np.int64) - 1
    bounds = [float(b) for b in range(1, bands + 1)]
    counts = [int(np.sum(classes == c)) for c in range(bands)]
    colours, description = palette(polarity, bands)
    return Classification("categories", bounds, bounds, classes, counts, colours, description)


def _bins(
    scheme: str, y: NDArray[np.float64], distinct: NDArray[np.float64],
    weights: NDArray[np.int64], k: int,
) -> NDArray[np.float64]:  # fmt: skip
    """The upper bounds of ``k`` classes (of ``distinct`` values, each ``weights`` times)."""
    if scheme == "fisher_jenks" and distinct.size < y.size:
        # Tied values: exact natural breaks of the distinct values, weighted by how often
        # each occurs (the optimum never splits a tie), fast where values repeat.
        return natural_breaks(distinct, weights, k)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Numba not installed")
        warnings.filterwarnings("ignore", message="Not enough unique values")
        result = _scheme(scheme, y, k)
    return np.asarray(result.bins, dtype=np.float64)


def _counts(
    bins: NDArray[np.float64], distinct: NDArray[np.float64], weights: NDArray[np.int64]
) -> NDArray[np.int64]:
    return np.bincount(np.searchsorted(bins, distinct), weights=weights, minlength=bins.size)


def _quantiles_tie(y: NDArray[np.float64], k: int) -> bool:
    """Whether two of the ``k`` quantile classes' bounds fall on one value (then a class
    is a single value, or empty, and classes cannot hold equal numbers of areas)."""
    bounds = np.quantile(y, np.linspace(0.0, 1.0, k + 1))
    return bool(np.unique(bounds).size < bounds.size)


def _tie_note(distinct: NDArray[np.float64], weights: NDArray[np.int64], k: int) -> str:
    most = int(np.argmax(weights))
    share = f"{int(weights[most])} of {int(weights.sum())} areas have {distinct[most]:g}"
    return f"natural breaks (Fisher-Jenks), not quantiles: {k} quantiles would tie ({share})"


def natural_breaks(
    distinct: NDArray[np.float64], weights: NDArray[np.int64], k: int
) -> NDArray[np.float64]:
    """Fisher's exact optimal partition of sorted ``distinct`` values (each occurring
    ``weights`` times) into ``k`` contiguous classes of least total squared deviation;
    the classes' upper bounds. O(k·d²) in the number of distinct values d."""
    d = distinct.size
    k = min(k, d)
    w = weights.astype(np.float64)
    sw = np.concatenate([[0.0], np.cumsum(w)])
    swx = np.concatenate([[0.0], np.cumsum(w * distinct)])
    swxx = np.concatenate([[0.0], np.cumsum(w * distinct * distinct)])

    def ssd(i: NDArray[np.int64], j: int) -> NDArray[np.float64]:
        # Squared deviation of the class holding distinct[i..j-1], for each start i.
        n = sw[j] - sw[i]
        s = swx[j] - swx[i]
        return np.asarray(swxx[j] - swxx[i] - s * s / n)

    cost = np.full((k + 1, d + 1), np.inf)
    cut = np.zeros((k + 1, d + 1), dtype=np.int64)
    cost[0, 0] = 0.0
    for c in range(1, k + 1):
        for j in range(c, d + 1):
            starts = np.arange(c - 1, j)
            total = cost[c - 1, starts] + ssd(starts, j)
            best = int(np.argmin(total))
            cost[c, j], cut[c, j] = total[best], starts[best]
    ends, j = [], d
    for c in range(k, 0, -1):
        ends.append(j - 1)
        j = int(cut[c, j])
    return np.asarray(distinct[np.array(ends[::-1])], dtype=np.float64)
