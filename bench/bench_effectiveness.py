"""Benchmark: does the effectiveness judgement find the actions that work, and only those?

Synthetic city panels: 400 LSOA-sized areas (populations about 1,500, lognormal SD 0.2),
36 months of counts of one indicator at 0.003 events per person per month (about 4.5 a
month in an area), with

* 5 deprivation groups of 80 areas, rates x e^0.5 in the most deprived down to x e^-0.5
  in the least (about 2.7 times between them);
* area random effects: a lasting level (SD 0.3 on the log rate) and a passing one, an
  AR(1) with monthly persistence 0.9 and SD 0.15 (hot spots flare and cool);
* a city-wide season (amplitude 0.15, peak in July) and a city-wide fall of 10% a year;
* negative-binomial (gamma-Poisson) month-to-month noise, shape 8 (variance mu + mu^2/8).

Actions are planted: each in 3-12 areas of one deprivation group, starting at month 18-24,
with a lag of 3-6 months; half work (the rate falls by 15% to 30% from the end of the lag
on), half do not. Each is judged by ``did_counts`` (``app/analysis/stats/effect.py``):
expected = population x city rate that month, comparators = the group's areas with no
action, pre = months before the start, post = months from the end of the lag, one-sided
at alpha = 0.05. Besides the planted actions' non-working half, separate panels with no
action hold placebo actions (one in each deprivation group: 3-12 random areas, judged
against the rest of the group), which measure the false "working" rate more precisely.
One placebo a group keeps them independent: placebos sharing comparators would be
correlated, and a binomial bound on them would overstate the precision.

Baseline in the same run: a naive before/after of the treated areas alone (no
comparators): a one-sided Poisson test of the pooled rate after against before
(conditional binomial, person-months as exposure). The city-wide fall and the noise
beyond Poisson make it call non-working actions "working"; the ratio of its false rate to
the judgement's is printed.

Second scenario, regression to the mean: actions (none of which work) placed in the areas
of their group with the highest observed/expected in the 12 months before the start, as
a partnership might pick its hot spots. The passing area effect makes those areas fall
back by themselves; the difference in differences reads that as an effect. Its false
"working" rate is reported and allowed to fail: it is a limit of the design (comparators
were not selected the same way), not a defect to hide. It does not set the exit code. The
same actions are also judged with the pre period ended before the selection months (the
remedy ``effect.py`` suggests), and that rate is printed beside it.

Targets: the false "working" rate over non-working planted and placebo actions is <= 0.05,
read with its Monte-Carlo error: PASS while the one-sided 95% lower Clopper-Pearson bound
of the rate is <= 0.05 (the run does not show the rate to exceed 0.05; with the default
2,200 null actions, 200 planted and 2,000 placebos, a rate up to about 0.058 passes; the
planted ones share comparators within a group, so are slightly correlated). Power is
reported, with no target.

    .venv/bin/python bench/bench_effectiveness.py [--seeds N] [--actions N]
        [--null-panels N] [--areas N] [--quick]

Examples::

    .venv/bin/python bench/bench_effectiveness.py --quick   # 5 seeds, 50 null panels, 1 s
    .venv/bin/python bench/bench_effectiveness.py           # 20 seeds x 20 actions, 2 s
    .venv/bin/python bench/bench_effectiveness.py --seeds 100 --null-panels 2000
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy import stats

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.analysis.stats.effect import WORKING, did_counts  # noqa: E402

ALPHA = 0.05
MONTHS = 36
GROUPS = 5
POPULATION = 1500.0
CITY_RATE = 0.003  # events per person per month
DEPRIVATION_LOG = np.array([0.5, 0.25, 0.0, -0.25, -0.5])  # group 0 = most deprived
AREA_SD = 0.3  # lasting area effect, log rate
PASSING_SD, PASSING_RHO = 0.15, 0.9  # AR(1) area effect: stationary SD, monthly persistence
SEASON, PEAK = 0.15, 6  # amplitude on the log scale; month of the peak (0 = January)
CITY_TREND = np.log(0.9)  # per year
NB_SHAPE = 8.0
AREAS_RANGE = (3, 12)
START_RANGE = (18, 24)
LAG_RANGE = (3, 6)
EFFECT_RANGE = (0.15, 0.30)
NULL_SEED_OFFSET = 1_000_000  # the placebo-only panels' seeds, apart from the main ones
SPARE = 10  # areas with no action a group keeps, at least, beyond an action's own
RTM_WINDOW = 12  # months before the start that the regression-to-the-mean selection uses

EFFECT_BANDS = ((0.15, 0.20), (0.20, 0.25), (0.25, 0.30))
AREA_BANDS = ((3, 5), (6, 8), (9, 12))
Floats = NDArray[np.float64]


@dataclass(frozen=True)
class City:
    """One synthetic panel: the mean counts (areas x months), populations and groups."""

    mu: Floats
    population: Floats
    group: NDArray[np.int64]


@dataclass(frozen=True)
class Action:
    areas: NDArray[np.intp]
    group: int
    start: int
    lag: int
    effect: float  # relative fall planted; 0 = does not work


@dataclass
class Tally:
    """How many actions, and how many judged "working", by the judgement and the naive."""

    n: int = 0
    did: int = 0
    naive: int = 0

    def add(self, did: bool, naive: bool) -> None:
        self.n += 1
        self.did += did
        self.naive += naive

    def rate(self, which: str = "did") -> float:
        return (self.did if which == "did" else self.naive) / self.n if self.n else np.nan


@dataclass
class Outcome:
    working: dict[tuple[int, int], Tally] = field(default_factory=dict)  # (effect, areas) band
    null_by_areas: dict[int, Tally] = field(default_factory=dict)
    planted_null: Tally = field(default_factory=Tally)
    placebo: Tally = field(default_factory=Tally)
    rtm: Tally = field(default_factory=Tally)
    rtm_early_pre: Tally = field(default_factory=Tally)  # pre ends before the selection


def make_city(rng: np.random.Generator, n_areas: int) -> City:
    """Mean counts with no action anywhere (see the module docstring for the model)."""
    months = np.arange(MONTHS)
    population = rng.lognormal(np.log(POPULATION), 0.2, n_areas)
    latent = rng.standard_normal(n_areas)
    group = (np.argsort(np.argsort(-latent)) * GROUPS // n_areas).astype(np.int64)
    level = DEPRIVATION_LOG[group] + rng.normal(0.0, AREA_SD, n_areas)
    passing = np.empty((n_areas, MONTHS))
    passing[:, 0] = rng.normal(0.0, PASSING_SD, n_areas)
    innovation = PASSING_SD * np.sqrt(1.0 - PASSING_RHO**2)
    for m in range(1, MONTHS):
        passing[:, m] = PASSING_RHO * passing[:, m - 1] + rng.normal(0.0, innovation, n_areas)
    city = CITY_TREND * months / 12.0 + SEASON * np.cos(2 * np.pi * (months - PEAK) / 12.0)
    log_mu = np.log(population * CITY_RATE)[:, None] + level[:, None] + passing + city[None, :]
    return City(np.exp(log_mu), population, group)


def draw_counts(rng: np.random.Generator, mu: Floats) -> Floats:
    noise = rng.gamma(NB_SHAPE, 1.0 / NB_SHAPE, mu.shape)
    return rng.poisson(mu * noise).astype(np.float64)


def expected_counts(counts: Floats, population: Floats) -> Floats:
    """Population x the city's rate that month (so every area is standardised to the city)."""
    rate = counts.sum(axis=0) / population.sum()
    return np.asarray(population[:, None] * rate[None, :], dtype=np.float64)


def random_actions(
    rng: np.random.Generator, city: City, n_actions: int, taken: NDArray[np.bool_]
) -> list[Action]:
    """``n_actions`` actions in untaken areas (marked taken), half working, half not."""
    actions = []
    for k in range(n_actions):
        size = int(rng.integers(AREAS_RANGE[0], AREAS_RANGE[1] + 1))
        g = pick_group(rng, city, taken, size)
        free = np.flatnonzero((city.group == g) & ~taken)
        areas = np.sort(rng.choice(free, size, replace=False))
        taken[areas] = True
        effect = float(rng.uniform(*EFFECT_RANGE)) if k % 2 == 0 else 0.0
        start = int(rng.integers(START_RANGE[0], START_RANGE[1] + 1))
        lag = int(rng.integers(LAG_RANGE[0], LAG_RANGE[1] + 1))
        actions.append(Action(areas, g, start, lag, effect))
    return actions


def pick_group(rng: np.random.Generator, city: City, taken: NDArray[np.bool_], size: int) -> int:
    """A random deprivation group that still has ``size`` areas with no action, plus
    :data:`SPARE` more to compare with."""
    free = np.bincount(city.group[~taken], minlength=GROUPS)
    open_groups = np.flatnonzero(free >= size + SPARE)
    if open_groups.size == 0:
        raise ValueError("too many actions for the areas: lower --actions or raise --areas")
    return int(rng.choice(open_groups))


def judge(
    action: Action,
    counts: Floats,
    expected: Floats,
    population: Floats,
    comparators: NDArray[np.bool_],
    *,
    pre_end: int | None = None,
) -> tuple[bool, bool]:
    """(difference in differences says "working", naive before/after says "working").
    The pre period is the months before the start, or before ``pre_end`` if given."""
    months = np.arange(MONTHS)
    pre = months < (action.start if pre_end is None else pre_end)
    post = months >= action.start + action.lag
    treated = np.zeros(counts.shape[0], dtype=np.bool_)
    treated[action.areas] = True
    eff = did_counts(counts, expected, treated, comparators, post, "down", pre=pre, alpha=ALPHA)
    return eff.verdict == WORKING, naive_working(counts[treated], population[treated], pre, post)


def naive_working(
    counts: Floats, population: Floats, pre: NDArray[np.bool_], post: NDArray[np.bool_]
) -> bool:
    """One-sided Poisson test of a lower pooled rate after than before, treated areas only:
    given the N events of both periods, the after count is binomial(N, share of the
    person-months after) when the rate has not changed."""
    o_pre, o_post = float(counts[:, pre].sum()), float(counts[:, post].sum())
    p_pre, p_post = population.sum() * pre.sum(), population.sum() * post.sum()
    share = p_post / (p_pre + p_post)
    return bool(stats.binom.cdf(o_post, o_pre + o_post, share) <= ALPHA)


def band(value: float, bands: tuple[tuple[float, float], ...]) -> int:
    return next(i for i, (lo, hi) in enumerate(bands) if lo <= value <= hi)


def run_seed(seed: int, n_areas: int, n_actions: int, out: Outcome) -> None:
    rng = np.random.default_rng(seed)
    months = np.arange(MONTHS)

    # Scenario 1: actions placed at random, half of them working.
    city = make_city(rng, n_areas)
    taken = np.zeros(n_areas, dtype=np.bool_)
    actions = random_actions(rng, city, n_actions, taken)
    mu = city.mu.copy()
    for a in actions:
        if a.effect:
            mu[np.ix_(a.areas, months >= a.start + a.lag)] *= 1.0 - a.effect
    counts = draw_counts(rng, mu)
    expected = expected_counts(counts, city.population)
    for a in actions:
        comparators = (city.group == a.group) & ~taken
        did, naive = judge(a, counts, expected, city.population, comparators)
        size = band(a.areas.size, AREA_BANDS)
        if a.effect:
            key = (band(a.effect, EFFECT_BANDS), size)
            out.working.setdefault(key, Tally()).add(did, naive)
        else:
            out.planted_null.add(did, naive)
            out.null_by_areas.setdefault(size, Tally()).add(did, naive)

    # Scenario 2: regression to the mean. Nothing works; each action goes to the untaken
    # areas of its group that were highest (observed / expected) in the year before it.
    city = make_city(rng, n_areas)
    counts = draw_counts(rng, city.mu)
    expected = expected_counts(counts, city.population)
    taken = np.zeros(n_areas, dtype=np.bool_)
    chosen = []
    for _ in range(n_actions):
        size = int(rng.integers(AREAS_RANGE[0], AREAS_RANGE[1] + 1))
        g = pick_group(rng, city, taken, size)
        start = int(rng.integers(START_RANGE[0], START_RANGE[1] + 1))
        window = slice(start - RTM_WINDOW, start)
        free = np.flatnonzero((city.group == g) & ~taken)
        ratio = counts[free, window].sum(axis=1) / expected[free, window].sum(axis=1)
        areas = np.sort(free[np.argsort(-ratio)[:size]])
        taken[areas] = True
        lag = int(rng.integers(LAG_RANGE[0], LAG_RANGE[1] + 1))
        chosen.append(Action(areas, g, start, lag, 0.0))
    for a in chosen:
        comparators = (city.group == a.group) & ~taken
        out.rtm.add(*judge(a, counts, expected, city.population, comparators))
        early = judge(
            a, counts, expected, city.population, comparators, pre_end=a.start - RTM_WINDOW
        )
        out.rtm_early_pre.add(*early)


def run_null_panel(seed: int, n_areas: int, out: Outcome) -> None:
    """A panel with no action: one placebo action in each deprivation group (3-12 random
    areas, a random start and lag), judged against the rest of its group. The groups do
    not share areas, so the five judgements are (all but) independent; placebos sharing
    comparators would not be, and would overstate the Monte-Carlo precision."""
    rng = np.random.default_rng(seed)
    city = make_city(rng, n_areas)
    counts = draw_counts(rng, city.mu)
    expected = expected_counts(counts, city.population)
    for g in range(GROUPS):
        members = np.flatnonzero(city.group == g)
        size = int(rng.integers(AREAS_RANGE[0], AREAS_RANGE[1] + 1))
        areas = np.sort(rng.choice(members, size, replace=False))
        start = int(rng.integers(START_RANGE[0], START_RANGE[1] + 1))
        placebo = Action(areas, g, start, int(rng.integers(LAG_RANGE[0], LAG_RANGE[1] + 1)), 0.0)
        comparators = city.group == g
        comparators[areas] = False
        did, naive = judge(placebo, counts, expected, city.population, comparators)
        out.placebo.add(did, naive)
        out.null_by_areas.setdefault(band(size, AREA_BANDS), Tally()).add(did, naive)


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """One-sided exact bounds at ``level``: (lower, upper)."""
    lower = float(stats.beta.ppf(1 - level, k, n - k + 1)) if k > 0 else 0.0
    upper = float(stats.beta.ppf(level, k + 1, n - k)) if k < n else 1.0
    return lower, upper


def check(label: str, passed: bool, detail: str) -> bool:
    print(f"  {'PASS' if passed else 'FAIL'}  {label}: {detail}")
    return passed


def report(out: Outcome, seeds: int, n_areas: int, n_actions: int, null_panels: int) -> bool:
    print(
        f"\nactions placed at random: {seeds} seeds x {n_actions} actions (half working) + "
        f"{null_panels} panels with {GROUPS} placebos each; {n_areas} areas, {MONTHS} months, "
        f"alpha {ALPHA}"
    )
    print("share judged 'working' (difference in differences | naive before/after)")
    head = "  ".join(f"{lo}-{hi} areas".rjust(19) for lo, hi in AREA_BANDS)
    print(f"  {'working actions, fall of':26s}{head}{'all':>21s}")
    for e, (lo, hi) in enumerate(EFFECT_BANDS):
        cells = [out.working.get((e, s), Tally()) for s in range(len(AREA_BANDS))]
        total = _sum(cells)
        row = "  ".join(_cell(t) for t in [*cells, total])
        print(f"  {f'{lo:.0%}-{hi:.0%}':26s}{row}")
    all_working = _sum(list(out.working.values()))
    by_size = [
        _sum([t for (e, s), t in out.working.items() if s == size])
        for size in range(len(AREA_BANDS))
    ]
    print(f"  {'any (power)':26s}{'  '.join(_cell(t) for t in [*by_size, all_working])}")
    nulls = [out.null_by_areas.get(s, Tally()) for s in range(len(AREA_BANDS))]
    null_all = _sum([out.planted_null, out.placebo])
    print(f"  {'not working (false rate)':26s}{'  '.join(_cell(t) for t in [*nulls, null_all])}")
    print(f"    planted, not working: {_cell(out.planted_null)}; placebos: {_cell(out.placebo)}")
    print(f"  regression to the mean, not working: {_cell(out.rtm)}")
    print(
        f"    the same, pre period ended before the {RTM_WINDOW} selection months: "
        f"{_cell(out.rtm_early_pre)}"
    )

    print("\ntargets")
    k, n = null_all.did, null_all.n
    lo, hi = clopper_pearson(k, n)
    ok = check(
        "false 'working' rate <= 0.05 (actions that do not work)",
        lo <= ALPHA,
        f"{k}/{n} = {k / n:.4f}, one-sided 95% bounds {lo:.4f} .. {hi:.4f} "
        f"(PASS while the lower bound <= {ALPHA})",
    )
    pk, pn = out.planted_null.did, out.planted_null.n
    plo, _ = clopper_pearson(pk, pn)
    ok &= check(
        "  the same, planted non-working actions alone",
        plo <= ALPHA,
        f"{pk}/{pn} = {pk / pn:.4f}, lower bound {plo:.4f}",
    )
    naive_rate, did_rate = null_all.rate("naive"), null_all.rate("did")
    ratio = naive_rate / did_rate if did_rate > 0 else np.inf
    print(
        f"  INFO  naive before/after: false 'working' rate {naive_rate:.4f}, {ratio:.1f}x the "
        f"judgement's; power {all_working.rate('naive'):.3f}"
    )
    print(
        f"  INFO  power (working actions judged 'working'): {all_working.rate():.3f} "
        f"({all_working.did}/{all_working.n})"
    )
    rk, rn = out.rtm.did, out.rtm.n
    rlo, rhi = clopper_pearson(rk, rn)
    check(
        "regression to the mean: false 'working' rate <= 0.05 (a known limit; no exit code)",
        rlo <= ALPHA,
        f"{rk}/{rn} = {rk / rn:.4f}, bounds {rlo:.4f} .. {rhi:.4f}; "
        f"naive {out.rtm.rate('naive'):.4f}",
    )
    return ok


def _sum(tallies: list[Tally]) -> Tally:
    return Tally(
        sum(t.n for t in tallies), sum(t.did for t in tallies), sum(t.naive for t in tallies)
    )


def _cell(t: Tally) -> str:
    if not t.n:
        return f"{'-':>19s}"
    return f"{t.rate():.3f} | {t.rate('naive'):.3f} (n={t.n:4d})".rjust(19)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  .venv/bin/python bench/bench_effectiveness.py --quick\n"
            "  .venv/bin/python bench/bench_effectiveness.py\n"
            "  .venv/bin/python bench/bench_effectiveness.py --seeds 100 --null-panels 2000"
        ),
    )
    parser.add_argument("--seeds", type=int, default=20, help="seeds (20)")
    parser.add_argument("--actions", type=int, default=20, help="planted actions a seed (20)")
    parser.add_argument(
        "--null-panels", type=int, default=400, help="panels of placebo actions only (400)"
    )
    parser.add_argument("--areas", type=int, default=400, help="areas in a panel (400)")
    parser.add_argument("--quick", action="store_true", help="5 seeds, 50 null panels")
    args = parser.parse_args()
    seeds, null_panels = (5, 50) if args.quick else (args.seeds, args.null_panels)
    t0 = time.perf_counter()
    out = Outcome()
    for seed in range(seeds):
        run_seed(seed, args.areas, args.actions, out)
    for panel in range(null_panels):
        run_null_panel(NULL_SEED_OFFSET + panel, args.areas, out)
    ok = report(out, seeds, args.areas, args.actions, null_panels)
    print(f"(took {time.perf_counter() - t0:.1f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
