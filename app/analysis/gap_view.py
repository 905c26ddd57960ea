"""Narrowing the gap, on request: an indicator in the city's most deprived fifth (or
tenth) of areas against the rest of the city, over time, from current values.

The statistics are the analysis run's (:func:`app.analysis.gaps.panel_gap`, which
pools months into quarters, and :mod:`app.analysis.stats.gap`); the groups are the
city's own ranking (:mod:`app.observations.deprivation`), never England's deciles. The
public sees a period's groups only where the disclosure control publishes them: where
no area of the type is hidden in it (:meth:`app.observations.disclosure.Disclosure.hides_groups`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from app.access.audited import note_read
from app.access.viewer import Viewer
from app.analysis.detect import counts_of, judged
from app.analysis.gaps import BLOCK, panel_gap
from app.analysis.panels import Areas, Panel, load_areas, load_panel
from app.analysis.rounding import rounded
from app.analysis.stats.gap import INSUFFICIENT, NARROWING, NO_CHANGE, WIDENING, GapResult, Trend
from app.areas import custom
from app.areas import repository as area_repo
from app.errors import InvalidParameterError, UnknownAreaTypeError
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Indicator, Polarity
from app.indicators.periods import PeriodType
from app.indicators.service import visible_indicator
from app.observations import disclosure
from app.observations.deprivation import GROUP_WORDS, Ranking, city_ranking

POPULATION = "population"
VERDICT_WORDS = {
    NARROWING: "narrowing",
    WIDENING: "widening",
    NO_CHANGE: "no significant change",
    INSUFFICIENT: "not enough periods to tell",
}
# Units of positions rather than quantities: a group's "rank" is no rank at all.
ORDINAL_UNITS = ("rank", "decile", "quintile")
# Area types people call by their initials.
ACRONYMS = ("oa", "lsoa", "msoa", "lad")
POOLED = {PeriodType.MONTH: "months are pooled into quarters (ending with the newest month)"}


class GapUnavailableError(InvalidParameterError):
    """An indicator, or an area type, whose gap cannot be worked out; the message says why."""

    code = "gap_unavailable"


class _Cell(NamedTuple):
    area_id: int
    period: str


def deprivation_groups(session: Session, area_type: str | None, groups: int) -> dict[str, Any]:
    """Which areas are the city's most deprived fifth or tenth, and how they were chosen
    (the map's outline and the gap view's groups)."""
    _check_groups(groups)
    ranking = _ranking(session, area_type)
    return {**_grouping(session, ranking, groups), "codes": ranking.most_deprived(groups)}


def indicator_gap(
    session: Session, viewer: Viewer, code: str, area_type: str | None, groups: int
) -> dict[str, Any]:
    """The gap of indicator ``code`` (404 for one the viewer may not see)."""
    indicator = visible_indicator(session, viewer, code)
    _check_groups(groups)
    if indicator.unit.strip().lower().startswith(ORDINAL_UNITS):
        raise GapUnavailableError(
            f"{indicator.code} is a {indicator.unit.split(' ')[0]}, a position among areas "
            "rather than an amount: a group of areas has no rank to compare"
        )
    ranking = _ranking(session, area_type)
    type_code = ranking.type_code
    areas = load_areas(session, type_code)
    panel = load_panel(session, indicator, areas)
    if panel is None:
        raise GapUnavailableError(f"{indicator.code} has no values at {type_code}")
    note_read(session, viewer, indicator, indicator.code, type_code, "gap")
    population = indicator_repo.indicator(session, POPULATION)
    pop_panel = None if population is None else load_panel(session, population, areas)
    counted = counts_of(panel, pop_panel)
    counts, exposure = counted if counted is not None else (None, None)
    if indicator.kind.counted and exposure is None:
        raise GapUnavailableError(
            f"{indicator.code} is a count, and {type_code} has no population to make it a rate"
        )
    hidden = disclosure.for_viewer(session, viewer, indicator)
    withheld = [p for p in panel.periods if hidden.hides_groups(type_code, p)]
    values = _seen(panel, areas, hidden, withheld, counts is None)
    if counts is not None and exposure is not None:
        counts, exposure = _without(counts, panel, withheld), _without(exposure, panel, withheld)
    rank = np.array([ranking.rank.get(int(i), np.nan) for i in areas.ids], dtype=np.float64)
    panel = Panel(indicator, panel.periods, panel.starts, values, panel.numerator,
                  panel.denominator, panel.notes)  # fmt: skip
    found = panel_gap(panel, counts, exposure, rank, groups, min_periods=1)
    if found is None:
        raise GapUnavailableError(f"{indicator.code} has too few periods at {type_code}")
    periods, result = found
    grouping = _grouping(session, ranking, groups)
    notes = []
    if withheld:
        notes.append(
            f"{len(withheld)} period(s) are withheld: the groups' totals there rest on counts "
            "too small to publish"
        )
    return {
        "indicator": indicator.summary(),
        **grouping,
        "measure": _measure(indicator, counts is not None),
        "pooled": POOLED.get(indicator.period_type) if BLOCK.get(indicator.period_type) else None,
        "confidence": 0.95,
        "periods": _periods(periods, result),
        "trend": _trend(result.absolute_trend),
        "relative_trend": _trend(result.relative_trend),
        "disadvantaged": result.disadvantaged or None,
        "sentence": _sentence(indicator, grouping, result),
        "notes": notes,
    }


def _check_groups(groups: int) -> None:
    if groups not in GROUP_WORDS:
        raise InvalidParameterError(
            f"groups: {groups} is not offered; 5 compares the most deprived fifth of the "
            "areas with the rest, 10 the most deprived tenth"
        )


def _ranking(session: Session, area_type: str | None) -> Ranking:
    """The city's ranking at ``area_type``, or at the finest type that has one."""
    if area_type is not None:
        type_code = area_type.strip().lower()
        # A custom area's type (one area) has no deprivation groups, and whether one
        # exists is not the gap view's to tell.
        if custom.is_custom_type(session, type_code) or not area_repo.area_type_exists(
            session, type_code
        ):
            raise UnknownAreaTypeError(f"Unknown area type {type_code!r}")
        ranking = city_ranking(session, type_code)
        if ranking is None:
            raise GapUnavailableError(
                f"{type_code} has no deprivation ranking (IMD rank or score for nine in ten "
                "of its areas), so its areas cannot be put into deprivation groups"
            )
        return ranking
    by_size = sorted(
        area_repo.area_types(session),
        key=lambda t: -max((int(v["count"]) for v in t.vintages), default=0),
    )
    for t in by_size:
        ranking = city_ranking(session, str(t.code))
        if ranking is not None:
            return ranking
    raise GapUnavailableError(
        "No area type has a deprivation ranking (IMD rank or score): there are no "
        "deprivation groups to compare"
    )


def _grouping(session: Session, ranking: Ranking, groups: int) -> dict[str, Any]:
    """How the groups were made, in fields and in words."""
    part = GROUP_WORDS[groups]
    ranked = len(ranking.rank)
    size = len(ranking.most_deprived(groups))
    type_name = _type_name(session, ranking.type_code)
    city = _city_name(session)
    whose = f"{city}'s" if city else "the city's"
    return {
        "area_type": ranking.type_code,
        "area_type_name": type_name,
        "basis": "city",
        "groups": groups,
        "group": part,
        "ranking": {
            "indicator": ranking.indicator,
            "title": ranking.indicator_title,
            "period": ranking.period,
            "areas_ranked": ranked,
            "areas": ranking.areas,
        },
        "most_deprived_areas": size,
        "rest_areas": ranked - size,
        "description": (
            f"the most deprived {part} of {whose} {ranked} {type_name} by "
            f"{ranking.indicator_title}, ranked within the city, not by England's deciles "
            f"({size} areas)"
        ),
        "label": (
            f"Most deprived {part} of the city's {type_name}, city's own IMD ranking "
            f"({size} of {ranked})"
        ),
    }


def _type_name(session: Session, type_code: str) -> str:
    """The type's areas in the plural, as people say them ("LSOAs", "wards")."""
    if type_code in ACRONYMS:
        return f"{type_code.upper()}s"
    for t in area_repo.area_types(session):
        if t.code == type_code:
            return f"{t.name}s"
    return f"{type_code} areas"


def _city_name(session: Session) -> str | None:
    """The name of the one area at the top of the hierarchy (the city), if there is one."""
    for t in area_repo.area_types(session):
        # A custom area is the one area of its type too, and no one's city.
        if t.parent_code is None and not custom.is_custom_type(session, str(t.code)):
            areas = area_repo.areas_of_type(session, str(t.code))
            if len(areas) == 1:
                return str(areas[0].name)
    return None


def _seen(
    panel: Panel, areas: Areas, hidden: disclosure.Disclosure, withheld: Sequence[str],
    values_only: bool,
) -> NDArray[np.float64]:  # fmt: skip
    """The panel's values the gap may use: without withheld periods and, for values
    without counts (whose group means no count relation protects), without hidden ones."""
    values = _without(panel.value, panel, withheld)
    if values_only and hidden.mask is not None:
        for i, area in enumerate(areas.ids.tolist()):
            for j, period in enumerate(panel.periods):
                if hidden.hides(_Cell(int(area), period)):
                    values[i, j] = np.nan
    return values


def _without(
    matrix: NDArray[np.float64], panel: Panel, periods: Sequence[str]
) -> NDArray[np.float64]:
    out = matrix.copy()
    for period in periods:
        out[:, panel.periods.index(period)] = np.nan
    return out


def _measure(indicator: Indicator, counted: bool) -> str:
    if indicator.kind.counted:
        return "rates from the groups' summed counts and populations"
    if counted:
        return "rates from the groups' summed numerators and denominators"
    return "means of the areas' values (no counts behind them)"


def _interval(value: float, lower: float, upper: float) -> dict[str, float | None]:
    return {"value": rounded(value), "lower": rounded(lower), "upper": rounded(upper)}


def _periods(periods: list[str], r: GapResult) -> list[dict[str, Any]]:
    out = []
    for j, period in enumerate(periods):
        withheld = not np.isfinite(r.most_deprived[j]) and not np.isfinite(r.rest[j])
        out.append(
            {
                "period": period,
                "withheld": withheld,
                "most_deprived": _interval(
                    r.most_deprived[j], r.most_deprived_lower[j], r.most_deprived_upper[j]
                ),
                "rest": _interval(r.rest[j], r.rest_lower[j], r.rest_upper[j]),
                "absolute_gap": _interval(r.absolute[j], r.absolute_lower[j], r.absolute_upper[j]),
                "relative_gap": _interval(r.relative[j], r.relative_lower[j], r.relative_upper[j]),
                "sii": _interval(r.sii[j], r.sii_lower[j], r.sii_upper[j]),
            }
        )
    return out


def _trend(trend: Trend) -> dict[str, Any]:
    return {
        "verdict": trend.verdict,
        "words": VERDICT_WORDS[trend.verdict],
        "slope_per_period": rounded(trend.slope),
        "lower": rounded(trend.lower),
        "upper": rounded(trend.upper),
        "p": rounded(trend.p),
        "periods": trend.periods,
    }


def _sentence(indicator: Indicator, grouping: dict[str, Any], result: GapResult) -> str:
    """The verdict in words, with who is worse off as the indicator's polarity judges."""
    who = (
        f"most deprived {grouping['group']} (city's own IMD ranking, "
        f"{grouping['most_deprived_areas']} of {grouping['ranking']['areas_ranked']} "
        f"{grouping['area_type_name']})"
    )
    verdict = result.absolute_trend.verdict
    subject = str(indicator.title).lower()
    if verdict == INSUFFICIENT:
        return (
            f"The gap in {subject} between the {who} and the rest: not enough periods to "
            "tell whether it is narrowing or widening"
        )
    words = "shows no significant change" if verdict == NO_CHANGE else f"is {verdict}"
    sentence = f"The gap in {subject} between the {who} and the rest {words}"
    if indicator.polarity is Polarity.NO_JUDGEMENT or judged(indicator) == "no_judgement":
        return sentence
    if result.disadvantaged == "most_deprived":
        return f"{sentence}; the most deprived areas are worse off"
    if result.disadvantaged == "rest":
        return f"{sentence}; the rest of the city is worse off"
    return sentence
