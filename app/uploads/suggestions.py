"""Suggested mappings of a file's columns: which column holds the area code, which the
period, and which indicator each other column may be, from the catalogue's codes,
titles and synonyms. Pure: the caller passes the headings and the indicators the
uploader may write.

A heading suggests an indicator when the words of its code, title or one of its
synonyms are (nearly) all in the heading: "Index of Multiple Deprivation (IMD) Rank"
holds both words of ``imd_rank``. The best-scoring pairs win, one column per indicator
and one indicator per column; a heading equal to a code, title or synonym (case, spaces
and punctuation aside) always wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.indicators.indicator import Indicator
from app.uploads.layouts.observation_rows import ROLES
from app.uploads.reading.errors import FormatError
from app.uploads.reading.headings import match_headings, normalise

_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "of",
        "on",
        "or",
        "per",
        "the",
        "to",
        "with",
    ]
)
# The share of a phrase's words a heading must hold to suggest it.
MIN_COVER = 0.75
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@dataclass(frozen=True)
class Suggestions:
    area_column: str | None
    period_column: str | None
    mapping: dict[str, str]  # heading -> indicator code


def words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9]+", text.casefold()) if w not in _STOP)


def _phrases(indicator: Indicator) -> list[str]:
    return [indicator.code.replace("_", " "), indicator.title, *indicator.synonyms]


def score(heading: str, indicator: Indicator) -> float:
    """How well ``heading`` names ``indicator``: 0 (not at all) to 10 (exactly)."""
    normal = normalise(heading)
    if normal and any(normalise(p) == normal for p in _phrases(indicator)):
        return 10.0
    said = words(heading)
    if not said:
        return 0.0
    best = 0.0
    for phrase in _phrases(indicator):
        named = words(phrase)
        if not named:
            continue
        shared = len(named & said)
        cover, precision = shared / len(named), shared / len(said)
        if cover >= MIN_COVER:
            best = max(best, cover + 0.25 * precision)
    return best


def suggest(header: Sequence[str], indicators: Sequence[Indicator]) -> Suggestions:
    """The columns' suggested roles and indicators (see the module docstring)."""
    try:
        roles = match_headings(header, ROLES).roles
    except FormatError:  # two columns tie for a role: the analyst chooses
        roles = {}
    area = roles["area"].heading if "area" in roles else None
    period = roles["period"].heading if "period" in roles else None
    taken = {h for h in (area, period) if h}
    pairs = sorted(
        (
            (s, h, i.code)
            for h in dict.fromkeys(header)
            if h and h not in taken
            for i in indicators
            if (s := score(h, i)) > 0
        ),
        key=lambda p: (-p[0], p[1], p[2]),
    )
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for _, heading, code in pairs:
        if heading not in mapping and code not in used:
            mapping[heading] = code
            used.add(code)
    return Suggestions(area, period, {h: mapping[h] for h in header if h in mapping})


def suggest_period(
    filename: str | None, period_column: str | None, indicators: Sequence[Indicator]
) -> str | None:
    """A period for the whole file when it has no period column and its suggested
    indicators are yearly: a year in the file's name (``File_1_-_IMD2019...`` gives 2019)."""
    if period_column is not None or not filename or not indicators:
        return None
    if not all(i.period_type.value == "calendar_year" for i in indicators):
        return None
    years = _YEAR.findall(filename)
    return years[0] if len(years) == 1 else None
