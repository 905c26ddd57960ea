"""Expensive reads reused while the database is unchanged.

A result is kept under the key its caller gives plus the state of the data the reader
can see: how many transactions that changed data (``data_change``, filled by a trigger
on every table reads are made of; migration 0011) are visible to it. A change to data
committed since gives later readers a new count and so a miss: nothing is ever served
from before a change that the reader could see. Writes that are not data (the audit of
officers' reads, sessions, keys' last use, the analysis queue) leave it alone, so while
no data changes, the map's classification, an indicator layer's city comparison and its
alerts are computed once for every page and tile that needs them.

The cache rides on the session (``session.info``), put there by the app's sessionmaker;
sessions without one (the CLI, tests of services) compute every time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import BigInteger, DateTime, func, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.models import Base

T = TypeVar("T")
INFO_KEY = "snapshot_cache"


class DataChange(Base):
    """A transaction that changed data (one row each, written by a trigger)."""

    __tablename__ = "data_change"

    xid: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SnapshotCache:
    """The ``entries`` most recently used results (least recently used go first)."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._results: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, session: Session, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        snapshot = session.execute(text("SELECT count(*) FROM data_change")).scalar_one()
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
