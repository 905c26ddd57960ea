"""Primary and complementary (secondary) cell suppression over sum relations.

Framework-free: cells are keys with counts, relations say which published cell (or
which total published by other means, such as "every LSOA together") is the sum of
which others. :func:`suppress` returns the cells to hide so that no hidden count can be
had back by differencing:

1. **primary**: every cell whose count is below the threshold, and every cell the
   caller forces (those hidden in the indicators a value is computed from);
2. **complementary**: in every relation holding a hidden cell, the hidden members must
   be at least two and together hold at least the threshold (so that their total,
   which the relation gives away, discloses neither one of them nor a small number);
   while a relation falls short, its published member with the smallest count is
   hidden too (the least information lost), or its total when no member is left. A
   hidden total whose members are all published is as good as published, so one
   member is hidden with it. This repeats until no relation changes.

Cells are visited in a fixed order (smallest count, then key), so the same data always
give the same pattern, whichever period or page is asked for first.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Relation(Generic[K]):
    """``total`` is the sum of ``members``. A total that is no cell (``cell_total``
    False) is published wherever it is used, so it is never hidden: the members are."""

    total: K
    members: tuple[K, ...]
    cell_total: bool = True


@dataclass(frozen=True)
class Suppression(Generic[K]):
    """The hidden cells, and the relation totals that are not cells but must not be
    published either (every member of such a relation is hidden and their sum small)."""

    cells: frozenset[K]
    totals: frozenset[K]


def suppress(
    counts: Mapping[K, float],
    relations: Iterable[Relation[K]],
    threshold: float | None,
    forced: Iterable[K] = (),
) -> Suppression[K]:
    """The cells of ``counts`` to hide (see the module's description)."""
    limit = float(threshold or 0)
    hidden = {k for k, v in counts.items() if v < limit}
    hidden.update(k for k in forced if k in counts)
    order = _order(counts)
    rels = []
    for r in relations:
        members = tuple(sorted((m for m in r.members if m in counts), key=order))
        if members:
            rels.append(Relation(r.total, members, r.cell_total and r.total in counts))
    withheld: set[K] = set()
    changed = True
    while changed:
        changed = False
        for rel in rels:
            step = _repair(rel, counts, hidden, limit)
            if step is None:
                continue
            if step is rel.total and not rel.cell_total:
                withheld.add(rel.total)
                continue
            hidden.add(step)
            changed = True
    return Suppression(frozenset(hidden), frozenset(withheld))


def _order(counts: Mapping[K, float]) -> Callable[[K], tuple[float, str]]:
    def key(k: K) -> tuple[float, str]:
        return (counts[k], repr(k))

    return key


def _repair(rel: Relation[K], counts: Mapping[K, float], hidden: set[K], limit: float) -> K | None:
    """The cell (or the total) to hide next for ``rel`` to protect its hidden cells,
    or None when it needs nothing."""
    hidden_members = [m for m in rel.members if m in hidden]
    published = [m for m in rel.members if m not in hidden]  # smallest count first
    if rel.cell_total and rel.total in hidden:
        return published[0] if published and not hidden_members else None
    if not hidden_members:
        return None
    if len(hidden_members) >= 2 and sum(counts[m] for m in hidden_members) >= limit:
        return None
    if published:
        return published[0]
    if rel.total in hidden:
        return None
    return rel.total
