"""Synthetic neighbourhood panels with planted deteriorations, and their ground truth.

Used to validate the detectors (``bench/bench_alerts.py``, the tests) against data that
look like a city's small-area counts: populations that differ and grow, rates that follow
deprivation and differ between areas, seasonality and city-wide trends and steps (which a
detector must *not* alarm on), month-to-month gamma-Poisson overdispersion and a slow
random-walk drift of each area's rate (both of which make a plain Poisson test raise
false alarms). On top of that, deteriorations are planted where we know them: single ones
(one indicator in one area) and correlated ones (two or three indicators of different
agencies in the same area), each a step in the recent window (or a gradual rise), and,
for the spatial tests, a cluster of adjacent areas changing together on a grid of areas
(:func:`grid_adjacency`). Two kinds of change must raise no local alert: a city-wide
shock (every area at once) and a shift of the city's seasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray
from scipy import sparse


@dataclass(frozen=True)
class SyntheticIndicator:
    """How one synthetic indicator behaves city-wide and between areas.

    ``rate`` is events per person per month at the city average; ``shape`` is the gamma
    shape of the month-to-month noise, so a month's variance is ``mu + mu**2 / shape``.
    """

    name: str
    agency: str
    rate: float
    polarity: int = 1  # +1: higher is worse; -1: higher is better
    seasonality: float = 0.15  # relative amplitude of the annual cycle
    phase: int = 0  # month of the seasonal peak
    trend: float = 0.0  # city-wide change per year, on the log scale
    city_step: float = 0.0  # city-wide step (e.g. a recording change), relative
    deprivation: float = 0.3  # log rate ratio per standard deviation of deprivation
    heterogeneity: float = 0.3  # SD of the log area rate beyond deprivation
    shape: float = 15.0
    drift: float = 0.01  # SD per month of the random walk of each area's log rate


BASE_INDICATORS: tuple[SyntheticIndicator, ...] = (
    SyntheticIndicator("violent_crime", "police", 0.0030, phase=6, trend=0.04, deprivation=0.45),
    SyntheticIndicator("antisocial_behaviour", "police", 0.0025, seasonality=0.3, phase=7,
                  city_step=0.25),
    SyntheticIndicator("secondary_fires", "fire", 0.0006, seasonality=0.5, phase=4, shape=6.0,
                  deprivation=0.5),
    SyntheticIndicator("ae_attendances", "health", 0.0300, seasonality=0.1, phase=0, trend=0.03,
                  shape=40.0),
    SyntheticIndicator("health_checks", "health", 0.0030, polarity=-1, seasonality=0.1, phase=9,
                  trend=-0.05, deprivation=-0.2),
    SyntheticIndicator("housing_complaints", "council", 0.0015, seasonality=0.25, phase=0),
    SyntheticIndicator("fly_tipping", "council", 0.0040, seasonality=0.2, phase=5, trend=0.06,
                  city_step=-0.2, shape=8.0),
)  # fmt: skip


def default_indicators(n: int = 7) -> tuple[SyntheticIndicator, ...]:
    """``n`` indicators: the base seven, then variants of them (rates scaled 0.6 to 1.5)."""
    scales = (1.0, 0.6, 1.5, 0.8, 1.2)
    out = []
    for i in range(n):
        base = BASE_INDICATORS[i % len(BASE_INDICATORS)]
        round_ = i // len(BASE_INDICATORS)
        if round_ == 0:
            out.append(base)
        else:
            out.append(
                replace(
                    base,
                    name=f"{base.name}_{round_ + 1}",
                    rate=base.rate * scales[round_ % len(scales)],
                    phase=(base.phase + 2 * round_) % 12,
                )
            )
    return tuple(out)


@dataclass
class SyntheticPanel:
    """Counts for every indicator, the denominators, and what was planted where."""

    counts: NDArray[np.float64]  # (n_indicators, n_areas, n_periods); NaN = missing
    exposure: NDArray[np.float64]  # (n_areas, n_periods): population
    indicators: tuple[SyntheticIndicator, ...]
    strata: NDArray[np.int64]  # (n_areas,): deprivation decile, 1 = least deprived
    planted: NDArray[np.bool_]  # (n_areas, n_indicators): a deterioration was planted
    multiplier: NDArray[np.float64]  # (n_areas, n_indicators): planted rate ratio, 1 = none
    onset: NDArray[np.int64]  # (n_areas, n_indicators): first changed period, -1 = none
    correlated: NDArray[np.bool_]  # (n_areas,): a joint deterioration was planted
    recent: int  # length of the recent window the plants were placed in
    clustered: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    cluster_indicator: int = -1  # the indicator the cluster changed on; -1 = no cluster
    cluster_indicators: tuple[int, ...] = ()  # all of them (one per agency), first first

    @property
    def agencies(self) -> list[str]:
        return [spec.agency for spec in self.indicators]

    @property
    def polarity(self) -> list[int]:
        return [spec.polarity for spec in self.indicators]


def make_panel(
    n_areas: int = 500,
    n_periods: int = 48,
    indicators: Sequence[SyntheticIndicator] | int = 7,
    *,
    n_single: int = 40,
    n_correlated: int = 25,
    effect: tuple[float, float] = (0.4, 0.8),
    recent: int = 12,
    onset_spread: int = 3,
    kind: str = "step",
    population: float = 1600.0,
    missing: float = 0.0,
    null: bool = False,
    cluster: int = 0,
    cluster_effect: float = 0.5,
    cluster_agencies: int = 1,
    cluster_block: int = 0,
    city_shock: float = 0.0,
    seasonal_shift: int = 0,
    seed: int = 0,
) -> SyntheticPanel:
    """A synthetic panel with planted deteriorations (none if ``null``).

    Each planted deterioration multiplies the area's rate by ``1 + e`` (``e`` uniform in
    ``effect``) from an onset in the first ``onset_spread + 1`` months of the last
    ``recent`` periods to the end; for an indicator where higher is better the rate is
    divided by ``1 + e`` instead. Single plants go to ``n_single`` distinct areas;
    correlated plants to ``n_correlated`` other areas, each on two or three indicators of
    different agencies (two where only two agencies exist), with a common onset.
    With ``kind="ramp"`` the change is gradual instead: the log rate ratio rises
    linearly from 0, one recent window before the recent window starts, to its full
    size in the last period; ``"mixed"`` plants each deterioration as one or the other
    at random. ``population`` is the median population of an area (1,600 is an LSOA;
    about 7,000 an MSOA). ``missing`` is the share of (area, period) cells blanked at random.

    ``cluster`` areas adjacent on the grid of :func:`grid_adjacency` (a connected group
    grown from a random area) get a common step of ``1 + cluster_effect`` on one indicator
    (``clustered`` and ``cluster_indicator``), apart from the other plants; with
    ``cluster_agencies`` above 1, on one indicator of each of that many agencies
    (``cluster_indicators``). ``cluster_block`` b instead plants it on a b x b block of the
    grid (a ward of b * b LSOAs, with :func:`grid_blocks`). ``city_shock``
    multiplies every indicator in every area by ``1 + city_shock`` from the start of the
    recent window; ``seasonal_shift`` moves the city's seasonal peak of every indicator by
    that many months, at twice the amplitude, in the recent window. Neither is planted
    in any area: a detector that compares areas with the city must not alarm on them.
    """
    if kind not in ("step", "ramp", "mixed"):
        raise ValueError("kind is step, ramp or mixed")
    rng = np.random.default_rng(seed)
    specs = default_indicators(indicators) if isinstance(indicators, int) else tuple(indicators)
    n_ind = len(specs)
    if null:
        n_single = n_correlated = 0
    if null:
        cluster = cluster_block = 0
    if n_single + n_correlated + cluster > n_areas:
        raise ValueError("more planted areas than areas")

    # Areas: population with its own growth; a latent deprivation score and its deciles.
    months = np.arange(n_periods)
    people = rng.lognormal(np.log(population), 0.2, n_areas)
    growth = rng.normal(0.005, 0.01, n_areas)  # per year
    exposure = people[:, None] * np.exp(growth[:, None] * months[None, :] / 12.0)
    deprivation = rng.standard_normal(n_areas)
    ranks = np.argsort(np.argsort(deprivation))
    strata = (ranks * 10 // n_areas + 1).astype(np.int64)

    # Ground truth: which cells get a step, of what size, from when.
    multiplier = np.ones((n_areas, n_ind))
    onset = np.full((n_areas, n_ind), -1, dtype=np.int64)
    ramp = np.zeros(n_areas, dtype=np.bool_)  # this area's plants are gradual
    correlated = np.zeros(n_areas, dtype=np.bool_)
    start = n_periods - recent
    ramp_start = start - recent
    chosen = rng.permutation(n_areas)[: n_single + n_correlated]
    ramp[chosen] = kind == "ramp" or (kind == "mixed" and rng.random(chosen.size) < 0.5)
    for area in chosen[:n_single]:
        k = int(rng.integers(n_ind))
        multiplier[area, k] = (1.0 + rng.uniform(*effect)) ** specs[k].polarity
        onset[area, k] = ramp_start if ramp[area] else start + int(rng.integers(onset_spread + 1))
    agencies = sorted({s.agency for s in specs})
    for area in chosen[n_single:]:
        how_many = min(int(rng.integers(2, 4)), len(agencies))
        picked = rng.choice(len(agencies), how_many, replace=False)
        when = ramp_start if ramp[area] else start + int(rng.integers(onset_spread + 1))
        for g in picked:
            members = [k for k, s in enumerate(specs) if s.agency == agencies[g]]
            k = int(rng.choice(members))
            multiplier[area, k] = (1.0 + rng.uniform(*effect)) ** specs[k].polarity
            onset[area, k] = when
        correlated[area] = True
    clustered = np.zeros(n_areas, dtype=np.bool_)
    cluster_k = -1
    cluster_ks: list[int] = []
    if cluster or cluster_block:
        taken = np.zeros(n_areas, dtype=np.bool_)
        taken[chosen] = True
        if cluster_block:
            blocks = grid_blocks(n_areas, cluster_block)
            full = [b for b in np.unique(blocks) if np.sum(blocks == b) == cluster_block**2]
            free_blocks = [b for b in full if not taken[blocks == b].any()]
            group = np.flatnonzero(blocks == int(rng.choice(free_blocks or full)))
        else:
            group = _grow(grid_adjacency(n_areas), taken, cluster, rng)
        agencies_all = sorted({s.agency for s in specs})
        picked = rng.choice(
            len(agencies_all), min(cluster_agencies, len(agencies_all)), replace=False
        )
        for g in picked:
            members = [k for k, s in enumerate(specs) if s.agency == agencies_all[g]]
            cluster_ks.append(int(rng.choice(members)))
        cluster_k = cluster_ks[0]
        when = start + int(rng.integers(onset_spread + 1))
        for k in cluster_ks:
            multiplier[group, k] = (1.0 + cluster_effect) ** specs[k].polarity
            onset[group, k] = when
        clustered[group] = True
    planted = onset >= 0

    counts = np.empty((n_ind, n_areas, n_periods))
    for k, spec in enumerate(specs):
        season = spec.seasonality * np.cos(2 * np.pi * (months - spec.phase) / 12.0)
        if seasonal_shift:
            shifted = (
                2
                * spec.seasonality
                * np.cos(2 * np.pi * (months - spec.phase - seasonal_shift) / 12.0)
            )
            season = np.where(months >= start, shifted, season)
        if city_shock:
            season = season + np.where(months >= start, np.log1p(city_shock), 0.0)
        city = spec.trend * months / 12.0 + season
        city = city + np.where(months >= n_periods - recent // 2, np.log1p(spec.city_step), 0.0)
        level = (
            spec.deprivation * deprivation
            + rng.normal(0.0, spec.heterogeneity, n_areas)
            - 0.5 * (spec.deprivation**2 + spec.heterogeneity**2)  # keep the city mean
        )
        walk = np.cumsum(rng.normal(0.0, spec.drift, (n_areas, n_periods)), axis=1)
        walk -= walk.mean(axis=1, keepdims=True)
        # Share of the full change reached by each period: 0 or 1 for a step, a ramp
        # from 0 at the onset to 1 in the last period for a gradual change.
        since = months[None, :] - onset[:, k, None]
        reached = np.where(
            ramp[:, None], np.clip(since / max(n_periods - 1 - ramp_start, 1), 0.0, 1.0), since >= 0
        )
        step = np.where(planted[:, k, None], np.log(multiplier[:, k])[:, None] * reached, 0.0)
        log_mu = city[None, :] + level[:, None] + walk + step
        mu = exposure * spec.rate * np.exp(log_mu)
        noise = rng.gamma(spec.shape, 1.0 / spec.shape, (n_areas, n_periods))
        counts[k] = rng.poisson(mu * noise)
        if missing > 0:
            counts[k][rng.random((n_areas, n_periods)) < missing] = np.nan
    return SyntheticPanel(
        counts=counts,
        exposure=exposure,
        indicators=specs,
        strata=strata,
        planted=planted,
        multiplier=multiplier,
        onset=onset,
        correlated=correlated,
        recent=recent,
        clustered=clustered,
        cluster_indicator=cluster_k,
        cluster_indicators=tuple(cluster_ks),
    )


def grid_blocks(n_areas: int, size: int) -> NDArray[np.int64]:
    """Each area's block of ``size`` x ``size`` areas on the grid of :func:`grid_adjacency`
    (wards made of LSOAs; blocks at the edges may be smaller): a block number per area."""
    cols = int(np.ceil(np.sqrt(n_areas)))
    row, col = np.divmod(np.arange(n_areas), cols)
    per_row = -(-cols // size)
    return np.asarray((row // size) * per_row + col // size, dtype=np.int64)


def grid_adjacency(n_areas: int) -> sparse.csr_array:
    """Queen contiguity of ``n_areas`` square areas laid row by row on a grid as near
    square as it can be (the last row may be short): each area touches up to eight."""
    cols = int(np.ceil(np.sqrt(n_areas)))
    row, col = np.divmod(np.arange(n_areas), cols)
    links = []
    for dr, dc in ((0, 1), (1, -1), (1, 0), (1, 1)):
        other_r, other_c = row + dr, col + dc
        other = other_r * cols + other_c
        ok = (other_c >= 0) & (other_c < cols) & (other < n_areas)
        links.append((np.arange(n_areas)[ok], other[ok]))
    a = np.concatenate([x for x, _ in links])
    b = np.concatenate([y for _, y in links])
    data = np.ones(2 * a.size)
    return sparse.csr_array(
        (data, (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n_areas, n_areas)
    )


def _grow(
    adjacency: sparse.csr_array, taken: NDArray[np.bool_], size: int, rng: np.random.Generator
) -> NDArray[np.intp]:
    """A connected group of ``size`` untaken areas grown at random from a random one."""
    for _ in range(100):
        group = [int(rng.choice(np.flatnonzero(~taken)))]
        while len(group) < size:
            ring = {
                int(j)
                for i in group
                for j in adjacency.indices[adjacency.indptr[i] : adjacency.indptr[i + 1]]
                if not taken[j] and j not in group
            }
            if not ring:
                break
            group.append(int(rng.choice(sorted(ring))))
        if len(group) == size:
            return np.asarray(group, dtype=np.intp)
    raise ValueError("no room for a connected cluster of that size")
