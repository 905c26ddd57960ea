"""Matching a file's headings (CSV column names, JSON keys, GeoJSON properties) to the
roles a layout needs, from the layout's own table of names.

Headings match ignoring case, spaces and punctuation (``"LSOA code (2011)"`` reads as
``lsoacode2011``). A role lists its names best first; names grouped in a tuple rank
equal. For each role the best-ranked heading wins and the others are left over; two
headings tied at the best rank are refused, since either could be meant.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.uploads.reading.errors import FormatError, clip


def normalise(heading: str) -> str:
    """A heading for matching: case-folded, only ASCII letters and digits kept.

    ``"LSOA code (2011)"`` gives ``"lsoacode2011"``; ``"Crime_Type"`` gives ``"crimetype"``.
    """
    return re.sub(r"[^a-z0-9]", "", heading.casefold())


@dataclass(frozen=True)
class Role:
    """What a column is for, and the names that say so.

    Attributes
    ----------
    name : str
        The role, e.g. ``"category"``.
    shown : str
        How messages name its column, e.g. ``"area_code"``.
    names : tuple
        Normalised names, best first; a tuple of names is one rank.
    ranked : callable, optional
        For names that follow a pattern (ONS code columns): the rank of a normalised
        name after those of ``names``, or None when it does not name the role.
    """

    name: str
    shown: str
    names: tuple[str | tuple[str, ...], ...] = ()
    ranked: Callable[[str], int | None] | None = None

    def rank(self, normal: str) -> int | None:
        for rank, group in enumerate(self.names):
            if normal == group or (isinstance(group, tuple) and normal in group):
                return rank
        grain = None if self.ranked is None else self.ranked(normal)
        if grain is not None:
            return len(self.names) + grain
        return None

    def aliases(self, shown: int = 5) -> str:
        """A few of the names, for messages."""
        flat = [n for g in self.names for n in (g if isinstance(g, tuple) else (g,))]
        listed = ", ".join(repr(n) for n in flat[:shown]) + (", ..." if len(flat) > shown else "")
        return f"{listed} (case, spaces and underscores do not matter)"


@dataclass(frozen=True)
class Column:
    index: int
    heading: str


@dataclass
class Headings:
    """Which heading plays which role; ``others`` are the rest, in file order."""

    roles: dict[str, Column]
    others: list[Column]

    def heading(self, role: str, default: str) -> str:
        column = self.roles.get(role)
        return column.heading if column is not None else default


def role_of(heading: str, roles: Sequence[Role]) -> tuple[Role, int] | None:
    """The first role that names ``heading``, and its rank there."""
    normal = normalise(heading)
    for role in roles:
        rank = role.rank(normal)
        if rank is not None:
            return role, rank
    return None


def match_headings(headings: Sequence[str], roles: Sequence[Role]) -> Headings:
    """Give each role its best heading.

    Raises
    ------
    FormatError
        When two headings tie for a role.
    """
    candidates: dict[str, list[tuple[int, Column]]] = {}
    others: list[Column] = []
    for index, heading in enumerate(headings):
        column = Column(index, heading)
        found = role_of(heading, roles) if heading else None
        if found is None:
            others.append(column)
        else:
            candidates.setdefault(found[0].name, []).append((found[1], column))
    shown = {role.name: role.shown for role in roles}
    matched: dict[str, Column] = {}
    for role, ranked in candidates.items():
        best = min(rank for rank, _ in ranked)
        tied = [column for rank, column in ranked if rank == best]
        if len(tied) > 1:
            raise FormatError(
                f"columns {quoted([c.heading for c in tied])} could each be the "
                f"{shown[role]} column: rename the one to use to '{shown[role]}' or remove "
                "the others"
            )
        matched[role] = tied[0]
        others += [column for rank, column in ranked if rank != best]
    return Headings(matched, sorted(others, key=lambda c: c.index))


# Names listed in a message at most, each shortened: a header of 50,000 columns would
# otherwise make a message of megabytes.
_QUOTED_NAMES = 20


def quoted(names: Sequence[str]) -> str:
    """``'a', 'b'``, or ``none``; the first 20 names, then how many more."""
    if not names:
        return "none"
    listed = ", ".join(f"'{clip(name)}'" for name in names[:_QUOTED_NAMES])
    more = len(names) - _QUOTED_NAMES
    return f"{listed} and {more:,} more" if more > 0 else listed
