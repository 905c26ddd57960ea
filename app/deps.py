"""Dependencies every route may use, so that signatures read like sentences: the
settings, the engine and the request's unit of work, and the bounded integer parameters.
The viewer of a request is :mod:`app.access.deps`'s; the analysis trigger
:mod:`app.analysis.trigger`'s. :func:`refuse_nul` guards every route's parameters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.db import session_scope
from app.errors import InvalidParameterError
from app.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(request: Request) -> Iterator[Session]:
    """The request's unit of work: committed on success, rolled back on error."""
    with session_scope(request.app.state.sessionmaker) as session:
        yield session


def refuse_nul(request: Request) -> None:
    """Refuse (400) a path or query parameter holding a NUL character, before any query
    sees it: PostgreSQL's text cannot hold one, and would answer an error instead."""
    for name, value in (*request.path_params.items(), *request.query_params.multi_items()):
        if "\x00" in name or "\x00" in str(value):
            raise InvalidParameterError(f"Parameter {name!r} holds a NUL character")


# PostgreSQL's integer (ids, vintages) and bigint (OFFSET) are bounded, Python's int is
# not: integer parameters are bounded here, so that a huge one is a 400, never a failed
# query (or a stream that breaks once begun).
MAX_INT = 2**31 - 1
Offset = Annotated[int, Query(ge=0, le=MAX_INT, description="Items to skip")]
Vintage = Annotated[
    int | None, Query(ge=0, le=MAX_INT, description="Boundary vintage; default newest")
]
RunId = Annotated[int, Path(ge=0, le=MAX_INT, description="An analysis run's id")]
BatchId = Annotated[int, Path(ge=0, le=MAX_INT, description="An upload batch's id")]

SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
# Scope "function": the transaction ends (commit or rollback) when the route returns,
# before the response is sent, so a client that got a 200 always reads what it wrote,
# and a failed commit is an error response rather than a lost write.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
