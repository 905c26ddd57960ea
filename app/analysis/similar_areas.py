"""The profile's second benchmark: the other areas of the same type in the same city-own
IMD quintile (:mod:`app.observations.similar`), made as the city's is (rates from summed
numerators and denominators, counts per 1,000 residents) and compared by the same test,
so that "worse than the city" can be told from "worse than places like it"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from app.analysis.detect import judged
from app.analysis.profile_counts import CityCounts
from app.analysis.rounding import rounded
from app.analysis.stats.compare import compare_counts_to_benchmark
from app.areas import repository as area_repo
from app.indicators.indicator import Indicator
from app.observations.similar import GROUPS, NoGroups, SimilarGroups, similar_groups

SIMILAR_WITHHELD = "the similar areas' value rests on counts too small to publish"


@dataclass(frozen=True)
class SimilarAreas:
    """An area's deprivation group: the others in it (codes), and how it was made."""

    groups: SimilarGroups
    group: int
    others: list[str]
    type_name: str

    def summary(self) -> dict[str, Any]:
        return {
            "quintile": self.group + 1,
            "of": GROUPS,
            "ranked_by": self.groups.source,
            "edition": self.groups.edition,
            "areas": len(self.others),
            "description": self.describe(len(self.others)),
        }

    def describe(self, others: int) -> str:
        return self.groups.describe(self.group, others, self.type_name)


def similar_areas(session: Session, area: Row[Any], visible: set[str]) -> SimilarAreas | str:
    """The group of ``area`` (id, code, type_code), or why it has none; ``visible``: the
    indicator codes the viewer may see (a ranking they may not see is no group)."""
    type_code = str(area.type_code)
    groups = similar_groups(session, type_code)
    if isinstance(groups, NoGroups):
        return groups.why
    if groups.source not in visible:
        return f"{groups.source} is not visible to you"
    group = groups.group(int(area.id))
    if group is None:
        return f"{area.code} has no {groups.source} (IMD {groups.edition})"
    others = [c for c in groups.members(group) if c != area.code]
    return SimilarAreas(groups, group, others, area_repo.area_type_name(session, type_code))


def similar_benchmark(
    indicator: Indicator,
    own: tuple[str, float, float],
    period: str,
    counts: CityCounts | None,
    similar: SimilarAreas,
) -> dict[str, Any]:
    """The group's value for ``period`` (the area left out), with its intervals, and how
    the area (``own``: its code, count and denominator) compares with it; ``counts``:
    every area's in the period (:class:`CityCounts`)."""
    _, own_k, own_n = own
    if counts is None or not own_n:
        return {"label": "not compared", "why": "no counts for a confidence interval"}
    used = [c for c in similar.others if c in counts.k]
    k = sum(counts.k[c] for c in used)
    n = sum(counts.n[c] for c in used)
    if not used or n <= 0:
        return {"label": "not compared", "why": "no similar area has counts in this period"}
    value = k / n * counts.scale
    polarity = judged(indicator)
    mine = compare_counts_to_benchmark(
        [own_k], [own_n], [value], polarity, measure=counts.measure, multiplier=counts.scale
    )
    group = compare_counts_to_benchmark(
        [k], [n], [counts.city], polarity, measure=counts.measure, multiplier=counts.scale
    )
    out: dict[str, Any] = {
        "period": period,
        "per": counts.scale,
        "description": similar.describe(len(used)),
        "areas": len(used),
        "area_value": rounded(own_k / own_n * counts.scale),
        "similar_value": rounded(value),
        "numerator": rounded(k),
        "denominator": rounded(n),
        "similar_interval": {},
        "method": "Wilson score"
        if counts.measure == "proportion"
        else "Byar (exact Poisson below 10 events)",
    }
    for level, comparison in mine.items():
        key = "95" if level < 0.99 else "99.8"
        out[key] = {
            "label": str(comparison.label[0]),
            "interval": [rounded(comparison.lower[0]), rounded(comparison.upper[0])],
        }
        out["similar_interval"][key] = [
            rounded(group[level].lower[0]),
            rounded(group[level].upper[0]),
        ]
    out["label"] = out["95"]["label"]
    out["against_city"] = str(group[min(group)].label[0])
    return out
