"""Classifying values for a choropleth (mapclassify) and colouring the classes.

Framework-free. Palettes are ColorBrewer's 9-class sequential schemes (colour-blind
safe), sampled evenly for fewer classes; they are oriented by the indicator's polarity so
that worse is always darker.
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


def palette(polarity: str, k: int) -> tuple[list[str], str]:
    """``k`` colours, lightest for the best class, and a description of the palette."""
    if polarity == "no_judgement":
        base, name, note = BLUES, "Blues", "darker is higher"
    else:
        base, name, note = YL_OR_RD, "YlOrRd", "darker is worse"
    colours = [base[i] for i in np.rint(np.linspace(0, len(base) - 1, k)).astype(int)]
    if polarity == "higher_is_better":
        colours.reverse()  # low values are the worse ones
    return colours, f"ColorBrewer {name} ({k} of 9 classes), {note}"


def _scheme(scheme: str, y: NDArray[np.float64], k: int) -> mapclassify.MapClassifier:
    # Fisher-Jenks is quadratic in the number of values: beyond a few thousand areas it
    # is fitted to a sample (mapclassify's own sampled variant), then applied to all.
    if scheme == "fisher_jenks" and y.size > FISHER_JENKS_SAMPLE:
        return mapclassify.FisherJenksSampled(y, k=k, pct=FISHER_JENKS_SAMPLE / y.size)
    return SCHEMES[scheme](y, k=k)


def classify(values: ArrayLike, scheme: str, k: int, polarity: str) -> Classification:
    """Classes of ``values`` (NaN = no value) by ``scheme`` into at most ``k`` classes.

    With fewer distinct values than ``k`` there are as many classes as distinct values
    (mapclassify cannot make more); a map with no values has no classes.
    """
    if scheme not in SCHEMES:
        raise ClassificationError(f"scheme must be one of {', '.join(SCHEMES)}")
    if not MIN_CLASSES <= k <= MAX_CLASSES:
        raise ClassificationError(f"classes must be from {MIN_CLASSES} to {MAX_CLASSES}")
    y = np.asarray(values, dtype=np.float64)
    known = ~np.isnan(y)
    classes = np.full(y.shape, -1, dtype=np.int64)
    distinct = np.unique(y[known])
    if distinct.size == 0:
        return Classification(scheme, [], [], classes, [], [], palette(polarity, k)[1])
    k = min(k, distinct.size)
    if k == 1:
        bins = np.array([distinct[0]])
        classes[known] = 0
    else:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Numba not installed")
            result = _scheme(scheme, y[known], k)
        bins = np.asarray(result.bins, dtype=np.float64)
        classes[known] = np.asarray(result.yb, dtype=np.int64)
    k = bins.size
    lower = [float(y[known].min())] + [float(b) for b in bins[:-1]]
    counts = [int(np.sum(classes == c)) for c in range(k)]
    colours, description = palette(polarity, k) if k >= 2 else ([YL_OR_RD[4]], "single class")
    return Classification(
        scheme, lower, [float(b) for b in bins], classes, counts, colours, description
    )
