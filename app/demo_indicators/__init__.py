"""Demo indicator values for ``make demo``: plausible, deterministic, with planted stories.

The demo city has real boundaries but no real indicator data, so this package makes values
that behave like the real thing for an analyst: one latent deprivation score per area
drives IMD, crime, fires, obesity, absence, attainment and life expectancy together;
counts are overdispersed (negative binomial) around an area's rate times its population,
with seasons (summer anti-social behaviour, Bonfire Night fires) and city-wide trends;
percentages are binomial draws on realistic cohorts; rates are computed from the counts
they divide. On top of that a few planted stories give the alerting something true to
find (:func:`demo_stories`). Every value is labelled :data:`DEMO_LABEL` by the caller.

Each indicator draws from its own random stream (the seed and its code), so a value does
not change when indicators are added to or removed from the catalogue.
"""

from app.demo_indicators.calendar import demo_periods
from app.demo_indicators.generation import demo_observations
from app.demo_indicators.records import (
    DEMO_LABEL,
    DemoArea,
    DemoObservation,
    DemoStory,
    FloatArray,
)
from app.demo_indicators.stories import demo_stories

__all__ = [
    "DEMO_LABEL",
    "DemoArea",
    "DemoObservation",
    "DemoStory",
    "FloatArray",
    "demo_observations",
    "demo_periods",
    "demo_stories",
]
