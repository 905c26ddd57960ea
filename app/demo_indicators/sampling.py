"""Drawing values from a model: counts, cohorts, shares, means and the IMD."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.demo_indicators.calendar import _Period
from app.demo_indicators.city import _City, _rng
from app.demo_indicators.models import _Counts, _Means, _Shares
from app.demo_indicators.records import FloatArray


@dataclass(frozen=True)
class _Series:
    periods: tuple[_Period, ...]
    values: FloatArray  # (areas, periods)
    numerator: FloatArray | None = None
    denominator: FloatArray | None = None


def _area_factor(code: str, model: _Counts, city: _City, seed: int) -> FloatArray:
    """Lasting differences between areas' rates, averaging 1 over the city's residents."""
    rng = _rng(seed, f"{code}/areas")  # its own stream: stories are chosen from it too
    area = np.exp(model.deprivation * city.deprivation) * city.centre**model.centre
    area = area * rng.gamma(model.spread, 1 / model.spread, city.size)
    weights = city.population[:, 0]
    return np.asarray(area / (area * weights).sum() * weights.sum(), dtype=np.float64)


def _counts(
    model: _Counts,
    periods: Sequence[_Period],
    city: _City,
    area: FloatArray,
    rng: np.random.Generator,
    factor: FloatArray,
) -> FloatArray:
    """Overdispersed counts: Poisson around a gamma-distributed (negative binomial) mean."""
    population = city.at(city.population, periods)
    season = np.array([_period_season(model.season, p) for p in periods])
    trend = np.exp(model.trend * city.years_from_start(periods))
    length = np.array([p.months / 12 for p in periods])
    expected = model.per_1000 / 1000 * population * length * area[:, None] * season * trend * factor
    shape = (*expected.shape, model.pooled_years)
    noisy = expected[..., None] * rng.gamma(model.noise, 1 / model.noise, shape)
    draws = rng.poisson(noisy).astype(np.float64)
    if model.pooled_years == 1:
        return np.asarray(draws[..., 0], dtype=np.float64)
    return np.asarray(np.round(draws.mean(axis=-1), 2), dtype=np.float64)


def _period_season(season: Sequence[float], period: _Period) -> float:
    return sum(season[(period.start + k) % 12] for k in range(period.months)) / period.months


def _cohort(
    kind: str, periods: Sequence[_Period], city: _City, rng: np.random.Generator
) -> FloatArray:
    """Who a share or a mean is of, by area and period: never fewer than one."""
    population = city.at(city.population, periods)
    children = city.at(city.children, periods)
    if kind == "year_group":  # one school year, about 95% of whom are measured or sit exams
        size = rng.poisson(children / 16 * 0.95).astype(np.float64)
    elif kind == "pupils":  # compulsory school age (5-15) in state-funded schools
        size = rng.poisson(children * 11 / 16 * 0.93).astype(np.float64)
    elif kind == "adults":  # GP lists run a few per cent above the resident population
        size = np.rint((population - children * 18 / 16) * 1.03)
    elif kind == "households":
        size = np.rint(population / city.household_size[:, None])
    else:
        size = population
    return np.maximum(size, 1.0)


def _shares(
    model: _Shares,
    periods: Sequence[_Period],
    city: _City,
    rng: np.random.Generator,
    lift: FloatArray,
) -> _Series:
    denominator = _cohort(model.cohort, periods, city, rng)
    area = model.deprivation * city.deprivation + model.area_size * city.log_area
    area = area - area.mean() + rng.normal(0.0, model.spread, city.size)
    logit = math.log(model.share / (1 - model.share)) + area[:, None]
    logit = logit + model.trend * city.years_from_start(periods)
    p = np.clip(1 / (1 + np.exp(-logit)) + lift, 0.001, 0.999)
    if model.sampled:
        numerator = rng.binomial(denominator.astype(np.int64), p).astype(np.float64)
    else:
        numerator = np.rint(denominator * p)
    return _Series(tuple(periods), numerator / denominator * 100, numerator, denominator)


def _means(
    model: _Means,
    periods: Sequence[_Period],
    city: _City,
    rng: np.random.Generator,
    lift: FloatArray,
) -> _Series:
    level = model.mean + model.deprivation * city.deprivation + model.area_size * city.log_area
    level = level + rng.normal(0.0, model.spread, city.size)
    mean = level[:, None] + model.trend * city.years_from_start(periods) + lift
    mean = mean + rng.normal(0.0, model.noise, mean.shape)
    if model.cohort is None:
        values = np.round(np.maximum(mean, model.minimum), model.decimals)
        return _Series(tuple(periods), np.asarray(values, dtype=np.float64))
    cohort = _cohort(model.cohort, periods, city, rng)
    mean = mean + rng.normal(0.0, 1.0, mean.shape) * model.individual_sd / np.sqrt(cohort)
    total = np.round(np.maximum(mean, model.minimum) * cohort, model.decimals)
    return _Series(tuple(periods), total / cohort, total, cohort)


def _imd(city: _City, seed: int) -> dict[str, FloatArray]:
    """IMD 2019 score, national rank, decile and crime domain score, consistent together."""
    rng = _rng(seed, "imd")
    z = city.deprivation
    # Skewed like a real city's: median about 21, a long tail of very deprived areas up to
    # about 80, and a quarter of LSOAs in England's most deprived decile.
    score = np.exp(3.05 + 0.72 * z - 0.08 * z**2 + rng.normal(0, 0.08, city.size))
    # England's 32,844 LSOA scores, roughly log-normal: median about 17, top decile from 34.
    national = (np.log(score) - 2.85) / 0.55
    above = np.array([0.5 * math.erfc(v / math.sqrt(2)) for v in national])  # more deprived
    rank = np.clip(np.ceil(above * 32844), 1, 32844)
    decile = np.clip(np.ceil(rank / 3284.4), 1, 10)
    crime = 0.25 + 0.55 * z + 0.3 * rng.normal(size=city.size)
    crime = crime + 0.4 * np.log(city.centre)  # centres see crime whoever lives there
    return {
        "imd_score": np.round(score, 3)[:, None],
        "imd_rank": rank[:, None],
        "imd_decile": decile[:, None],
        "imd_crime_score": np.round(crime, 3)[:, None],
    }
