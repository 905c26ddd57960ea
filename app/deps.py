"""Dependencies every route may use, so that signatures read like sentences: the
settings, the engine and the request's unit of work. The viewer of a request is
:mod:`app.access.deps`'s; the analysis trigger :mod:`app.analysis.trigger`'s."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.db import session_scope
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


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
# Scope "function": the transaction ends (commit or rollback) when the route returns,
# before the response is sent, so a client that got a 200 always reads what it wrote,
# and a failed commit is an error response rather than a lost write.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
