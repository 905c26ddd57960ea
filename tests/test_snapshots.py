"""Expensive reads are reused only while the data is unchanged (audit rows are not data)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.snapshots import SnapshotCache, cached


def _counter() -> Callable[[], int]:
    calls = [0]

    def compute() -> int:
        calls[0] += 1
        return calls[0]

    return compute


def test_a_result_is_reused_until_data_changes(engine: Engine) -> None:
    cache = SnapshotCache(8)
    compute = _counter()
    with Session(engine) as session:
        assert cache.get(session, ("map", "a"), compute) == 1
        assert cache.get(session, ("map", "a"), compute) == 1
        assert cache.get(session, ("map", "b"), compute) == 2  # another key
        with engine.connect() as other:  # a write that is not data: an audit row
            other.execute(
                text(
                    "INSERT INTO audit_event (action, outcome, actor, role) "
                    "VALUES ('read', 'ok', 'test', 'officer')"
                )
            )
            other.commit()
        assert cache.get(session, ("map", "a"), compute) == 1  # still the same data
        with engine.connect() as other:  # a change to data, committed elsewhere
            other.execute(text("INSERT INTO agency (name) VALUES ('snapshot_test')"))
            other.commit()
        assert cache.get(session, ("map", "a"), compute) == 3
        assert cache.get(session, ("map", "a"), compute) == 3
        with engine.connect() as other:
            other.execute(text("DELETE FROM agency WHERE name = 'snapshot_test'"))
            other.commit()
        assert cache.get(session, ("map", "a"), compute) == 4
    assert (cache.hits, cache.misses) == (3, 4)


def test_the_least_recently_used_go_first(engine: Engine) -> None:
    cache = SnapshotCache(2)
    compute = _counter()
    with Session(engine) as session:
        for key in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" comes
            cache.get(session, (key,), compute)
        assert cache.get(session, ("a",), compute) == 1
        assert cache.get(session, ("b",), compute) == 4


def test_sessions_without_a_cache_compute_every_time(engine: Engine) -> None:
    compute = _counter()
    with Session(engine) as session:
        assert [cached(session, ("k",), compute) for _ in range(2)] == [1, 2]
    off = SnapshotCache(0)
    with Session(engine, info={"snapshot_cache": off}) as session:
        assert [cached(session, ("k",), compute) for _ in range(2)] == [3, 4]
