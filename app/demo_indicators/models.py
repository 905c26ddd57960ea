"""Value models: how each indicator of the default catalogue behaves, and generic ones."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from app.indicators.indicator import Indicator, Polarity
from app.indicators.value_types import DemoShape


def _season(
    amplitude: float, peak_month: int, spikes: Mapping[int, float] | None = None
) -> tuple[float, ...]:
    """Twelve monthly factors averaging 1: a yearly wave peaking in ``peak_month``."""
    factors = np.array(
        [1 + amplitude * math.cos(2 * math.pi * (m - peak_month) / 12) for m in range(1, 13)]
    )
    for month, factor in (spikes or {}).items():
        factors[month - 1] *= factor
    return tuple(float(f) for f in factors / factors.mean())


_FLAT = (1.0,) * 12


@dataclass(frozen=True)
class _Counts:
    """Events a year per 1,000 residents, shaped by area, season, trend and noise."""

    per_1000: float
    deprivation: float = 0.0  # change of the log rate per SD of deprivation
    centre: float = 0.0  # power of the centre pull
    season: tuple[float, ...] = _FLAT
    trend: float = 0.0  # city-wide change of the log rate a year
    spread: float = 6.0  # gamma shape of lasting area differences: smaller spreads more
    noise: float = 10.0  # gamma shape of period-to-period overdispersion
    pooled_years: int = 1  # a value is the yearly average over this many years


@dataclass(frozen=True)
class _Thinned:
    """A share of another count's events (killed or seriously injured of all casualties)."""

    parent: str
    share: float


@dataclass(frozen=True)
class _Shares:
    """A proportion of a cohort; drawn binomially unless measured (``sampled=False``)."""

    share: float  # city-wide in the first year
    cohort: str  # year_group | pupils | adults | households | residents
    deprivation: float = 0.0  # change of the logit per SD of deprivation
    area_size: float = 0.0  # change of the logit per unit of log area
    trend: float = 0.0  # change of the logit a year
    spread: float = 0.15  # SD of lasting area differences on the logit scale
    sampled: bool = True


@dataclass(frozen=True)
class _Means:
    """A mean (or score) in its own units; over a cohort when ``cohort`` is set."""

    mean: float
    deprivation: float = 0.0  # units per SD of deprivation
    area_size: float = 0.0  # units per unit of log area
    trend: float = 0.0  # units a year
    spread: float = 1.0  # SD of lasting area differences
    noise: float = 0.5  # SD from period to period
    cohort: str | None = None
    individual_sd: float = 0.0  # SD between the cohort's members
    decimals: int = 1
    minimum: float = 0.0


_Model = _Counts | _Thinned | _Shares | _Means

# Levels are Sheffield-like: police.uk December 2019 counts for the city, annualised; IoD,
# NCMP, DfE and OHID figures of 2021-2023. Deprivation effects give the usual gradients.
_PROFILES: dict[str, _Model] = {
    "anti_social_behaviour": _Counts(
        24.0, deprivation=0.45, centre=0.5, season=_season(0.22, 7), trend=-0.07
    ),
    "bicycle_theft": _Counts(1.1, centre=0.8, season=_season(0.35, 7), trend=-0.03),
    "burglary": _Counts(7.5, deprivation=0.35, centre=0.2, season=_season(0.1, 12), trend=-0.04),
    "criminal_damage_arson": _Counts(
        9.5, deprivation=0.45, centre=0.3, season=_season(0.08, 7), trend=-0.01
    ),
    "drugs": _Counts(2.2, deprivation=0.6, centre=0.6, noise=3.0),  # lumpy police operations
    "other_crime": _Counts(2.4, deprivation=0.3, centre=0.4, trend=0.03),
    "other_theft": _Counts(8.0, deprivation=0.1, centre=0.7, season=_season(0.05, 8)),
    "possession_of_weapons": _Counts(1.1, deprivation=0.55, centre=0.5, trend=0.02),
    "public_order": _Counts(9.5, deprivation=0.45, centre=0.6, season=_season(0.1, 7), trend=-0.02),
    "robbery": _Counts(1.5, deprivation=0.45, centre=0.7, season=_season(0.08, 11)),
    # Shoplifting rose sharply across England from 2022.
    "shoplifting": _Counts(6.5, deprivation=0.1, centre=1.6, trend=0.12, spread=2.0),
    "theft_from_the_person": _Counts(1.6, deprivation=0.1, centre=1.4, season=_season(0.1, 12)),
    "vehicle_crime": _Counts(
        10.0, deprivation=0.3, centre=0.3, season=_season(0.06, 11), trend=0.02
    ),
    "violence_sexual_offences": _Counts(
        36.0, deprivation=0.5, centre=0.7, season=_season(0.1, 7), trend=0.02
    ),
    "deliberate_primary_fires": _Counts(
        0.9, deprivation=0.8, centre=0.2, season=_season(0.15, 4, {11: 1.3})
    ),
    # Grass fires in spring; bonfires and fireworks in late October and November.
    "deliberate_secondary_fires": _Counts(
        2.8, deprivation=0.9, season=_season(0.45, 4, {10: 1.3, 11: 1.9})
    ),
    "accidental_dwelling_fires": _Counts(0.35, deprivation=0.3, season=_season(0.12, 1)),
    "fire_safe_and_well_visits": _Counts(10.0, deprivation=0.5, trend=0.05, noise=4.0),
    # Casualties are counted where collisions happen: main roads and centres.
    "road_casualties_all": _Counts(2.3, deprivation=0.2, centre=0.8, spread=2.0, trend=-0.02),
    "road_casualties_ksi": _Thinned("road_casualties_all", 0.22),
    "emergency_admissions": _Counts(105.0, deprivation=0.3, spread=15.0, noise=60.0, trend=0.02),
    "stroke_admissions": _Counts(1.45, deprivation=0.15, spread=8.0, pooled_years=3),
    "child_obesity_reception": _Shares(0.10, "year_group", deprivation=0.3),
    "child_obesity_year6": _Shares(0.235, "year_group", deprivation=0.35, trend=0.01),
    "persistent_absence": _Shares(0.23, "pupils", deprivation=0.5, trend=-0.05, spread=0.25),
    "fsm_eligible": _Shares(0.27, "pupils", deprivation=0.9, trend=0.06, spread=0.2),
    "gp_registered_depression": _Shares(0.14, "adults", deprivation=0.25, trend=0.05),
    "bus_stop_access": _Shares(
        0.85,
        "households",
        deprivation=0.3,
        area_size=-0.9,
        spread=0.6,
        trend=-0.04,
        sampled=False,
    ),
    "hospital_journey_time_public_transport": _Means(
        27.0, deprivation=-2.0, area_size=5.0, spread=4.0, noise=0.6, trend=0.4, minimum=4.0
    ),
    # Five-year pooled: wide differences between small areas, small changes year to year.
    "life_expectancy_male": _Means(78.6, deprivation=-3.0, spread=1.6, noise=0.4, trend=0.05),
    "life_expectancy_female": _Means(82.4, deprivation=-2.4, spread=1.4, noise=0.4, trend=0.05),
    # 2021/22 grades were still generous; Attainment 8 fell back after.
    "attainment8": _Means(
        46.5, deprivation=-6.0, spread=2.0, trend=-0.6, cohort="year_group", individual_sd=18.0
    ),
}


def _model(spec: Indicator) -> _Model:
    """The profile for the indicator when it fits its value type, else a generic one."""
    model = _PROFILES.get(spec.code)
    fits = {
        DemoShape.COUNTS: (_Counts, _Thinned),
        DemoShape.RATES: (_Counts,),
        DemoShape.SHARES: (_Shares,),
        DemoShape.MEANS: (_Means, _Counts),
    }[spec.kind.demo]
    if model is not None and isinstance(model, fits):
        return model
    sign = {Polarity.HIGHER_IS_WORSE: 1.0, Polarity.HIGHER_IS_BETTER: -1.0}.get(spec.polarity, 0.0)
    if spec.kind.demo in (DemoShape.COUNTS, DemoShape.RATES):
        return _Counts(10.0, deprivation=0.3 * sign)
    if spec.kind.demo is DemoShape.SHARES:
        return _Shares(0.2, "residents", deprivation=0.4 * sign)
    return _Means(50.0, deprivation=5.0 * sign, spread=5.0, noise=1.0)
