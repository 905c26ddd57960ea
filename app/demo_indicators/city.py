"""The demo city: the latent state every indicator shares, and the random streams."""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.demo_indicators.calendar import _Period
from app.demo_indicators.records import DemoArea, FloatArray

_LSOA_NAME = re.compile(r"^(?P<msoa>.+ \d{3})[A-Z]$")


@dataclass(frozen=True)
class _City:
    codes: list[str]
    deprivation: FloatArray  # standardised: 0 is the city average, +2 very deprived
    centre: FloatArray  # pull of shops and the night-time economy, averaging about 1
    log_area: FloatArray  # log of km² over the median: big suburban or rural areas > 0
    population: FloatArray  # (areas, years) mid-year estimates
    children: FloatArray  # (areas, years) aged 0-15
    household_size: FloatArray  # (areas,) residents per household
    first_year: int
    last_year: int

    @property
    def size(self) -> int:
        return len(self.codes)

    def at(self, table: FloatArray, periods: Sequence[_Period]) -> FloatArray:
        """Columns of a yearly table for each period's start year (nearest year covered)."""
        index = [
            min(max(p.year, self.first_year), self.last_year) - self.first_year for p in periods
        ]
        return table[:, index]

    def years_from_start(self, periods: Sequence[_Period]) -> FloatArray:
        """Years from the start of ``first_year`` to each period's middle (for trends)."""
        return np.array([(p.start + p.months / 2) / 12 - self.first_year for p in periods])


def _city(areas: Sequence[DemoArea], first_year: int, last_year: int, seed: int) -> _City:
    if not areas:
        raise ValueError("the demo needs at least one area")
    if first_year > last_year:
        raise ValueError(f"first_year {first_year} is after last_year {last_year}")
    if seed < 0:
        raise ValueError("the seed must be zero or more")
    ordered = sorted(areas, key=lambda a: a.code)
    codes = [a.code for a in ordered]
    if len(set(codes)) < len(codes):
        raise ValueError("area codes must be unique")
    rng = _rng(seed, "city")
    n = len(codes)
    # LSOAs of one MSOA are neighbours, and neighbours are alike: share part of the score.
    groups = [m.group("msoa") if (m := _LSOA_NAME.match(a.name)) else a.code for a in ordered]
    _, group_of = np.unique(groups, return_inverse=True)
    shared = rng.normal(size=int(group_of.max()) + 1)[group_of]
    km2 = np.array([max(a.area_km2, 0.01) for a in ordered])
    log_area = np.log(km2 / np.median(km2))
    # Big LSOAs are the suburban and rural fringe, on the whole less deprived.
    raw = 0.8 * shared + 0.6 * rng.normal(size=n) - 0.35 * _standardise(log_area)
    deprivation = _standardise(raw)
    centre = rng.lognormal(0.0, 0.45, size=n)
    compact = np.flatnonzero(log_area <= np.quantile(log_area, 0.25))
    hubs = rng.choice(compact, size=max(1, round(0.02 * n)), replace=False)
    centre[hubs] *= 6.0  # the city centre and district centres
    years = np.arange(last_year - first_year + 1)
    base = np.clip(rng.lognormal(math.log(1650), 0.16, size=n), 1150, 3200)
    growth = rng.normal(0.004, 0.006, size=n)
    population = np.rint(
        base[:, None] * np.exp(growth[:, None] * years) + rng.normal(0, 6, (n, len(years)))
    )
    child_share = np.clip(0.185 + 0.035 * deprivation + rng.normal(0, 0.025, n), 0.06, 0.32)
    children = np.rint(population * (child_share[:, None] - 0.0015 * years))
    household_size = np.clip(rng.normal(2.3, 0.15, n) + 0.1 * deprivation, 1.6, 3.2)
    return _City(
        codes=codes,
        deprivation=deprivation,
        centre=centre / centre.mean(),
        log_area=log_area,
        population=population,
        children=children,
        household_size=household_size,
        first_year=first_year,
        last_year=last_year,
    )


def _standardise(x: FloatArray) -> FloatArray:
    sd = float(x.std())
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


def _rng(seed: int, tag: str) -> np.random.Generator:
    # crc32, not hash(): Python salts string hashes per process.
    return np.random.default_rng([seed, zlib.crc32(tag.encode())])
