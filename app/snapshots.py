"""Expensive reads reused while the database is unchanged.

A result is kept under the key its caller gives plus the reading transaction's snapshot
(``pg_current_snapshot()``: the transactions in flight and the next to begin). Any
write committed since, by anyone, gives later readers a new snapshot and so a miss:
nothing is ever served from before a change that the reader could see. Read-only
requests take no transaction id, so while nobody writes, the snapshot stays the same
and the map's classification, an indicator layer's city comparison and its alerts are
computed once for every page and tile that needs them.

The cache rides on the session (``session.info``), put there by the app's sessionmaker;
sessions without one (the CLI, tests of services) compute every time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from sqlalchemy import text
from sqlalchemy.orm import Session

T = TypeVar("T")
INFO_KEY = "snapshot_cache"


class SnapshotCache:
    """The ``entries`` most recently used results (least recently used go first)."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._results: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, session: Session, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        snapshot = session.execute(text("SELECT pg_current_snapshot()::text")).scalar_one()
        full = (snapshot, *key)
        with self._lock:
            if full in self._results:
                self._results.move_to_end(full)
                self.hits += 1
                return cast(T, self._results[full])
            self.misses += 1
        value = compute()
        with self._lock:
            self._results[full] = value
            while len(self._results) > self.entries:
                self._results.popitem(last=False)
        return value


def cached(session: Session, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()``, or its result from an earlier read of the same database state.
    Callers must not change what they get: it may be shared."""
    cache = session.info.get(INFO_KEY)
    if not isinstance(cache, SnapshotCache) or cache.entries == 0:
        return compute()
    return cache.get(session, key, compute)
