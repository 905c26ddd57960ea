"""Engines and sessions. The request owns the transaction: :func:`session_scope`
commits on success and rolls back on error; services only ``flush()``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.errors import DatabaseUnavailableError
from app.snapshots import INFO_KEY, SnapshotCache

DRIVER = "postgresql+psycopg"
# Memory for each sort or hash of a query: values carried to wards group millions of
# (area, period) rows, which at PostgreSQL's default of 4 MB spill to disk and take half
# as long again (bench/bench_carry.py); a pool of 15 connections stays far within memory.
WORK_MEM = "32MB"


def sqlalchemy_url(url: str) -> str:
    """Turn a plain ``postgresql://`` URL into one naming our driver (psycopg 3)."""
    scheme = urlsplit(url).scheme
    if scheme in ("postgres", "postgresql"):
        return DRIVER + url[len(scheme) :]
    if scheme.startswith("postgresql+"):
        return DRIVER + url[len(scheme) :]
    raise DatabaseUnavailableError(
        f"NIS_DATABASE_URL must be a postgresql:// URL, not {scheme or 'a bare string'!r}"
    )


def plain_url(url: str) -> str:
    """The libpq form of a URL (for psql, ogrinfo and the like)."""
    return (
        make_url(sqlalchemy_url(url))
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def make_engine(url: str) -> Engine:
    """An engine on ``url``. Its errors never carry the statement's parameters (uploaded
    values, names, keys' hashes), so that they cannot reach a log verbatim."""
    engine = create_engine(
        sqlalchemy_url(url),
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        hide_parameters=True,
    )
    event.listen(engine, "connect", _configure)
    return engine


def _configure(dbapi_connection: Any, _record: Any) -> None:
    """Settings of every new connection (the server's own stay as they are)."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET work_mem = '{WORK_MEM}'")
    dbapi_connection.commit()


def make_sessionmaker(engine: Engine, cache: SnapshotCache | None = None) -> sessionmaker[Session]:
    """Sessions on ``engine``; with ``cache``, their expensive reads are reused while the
    database is unchanged (:mod:`app.snapshots`)."""
    info = {} if cache is None else {INFO_KEY: cache}
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False, info=info)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit if the block succeeds, roll back if it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def unit_of_work(url: str) -> Iterator[Session]:
    """A one-off unit of work on ``url`` (CLI commands, the demo, scripts): its own
    engine, one transaction committed on success, everything closed afterwards."""
    engine = make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            yield session
    finally:
        engine.dispose()
