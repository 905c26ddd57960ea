"""Dependencies that make route signatures read like sentences."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.agencies.repository import touch_key
from app.agencies.service import Principal, authenticate
from app.analysis.scheduler import AnalysisScheduler
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


def get_principal(request: Request, session: SessionDep, engine: EngineDep) -> Principal:
    """The caller's key; 401 without a valid one."""
    principal = authenticate(session, request.headers.get("authorization"))
    _touch(engine, principal)
    return principal


def get_optional_principal(
    request: Request, session: SessionDep, engine: EngineDep
) -> Principal | None:
    """The caller's key if one is sent (a bad one is still 401); None for the public."""
    header = request.headers.get("authorization")
    if not header:
        return None
    principal = authenticate(session, header)
    _touch(engine, principal)
    return principal


def _touch(engine: Engine, principal: Principal) -> None:
    if principal.key_id is not None:
        with engine.begin() as conn:
            touch_key(conn, principal.key_id)


PrincipalDep = Annotated[Principal, Depends(get_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(get_optional_principal)]


class AnalysisTrigger:
    """Asks for a background analysis after a change to the data (when enabled)."""

    def __init__(self, scheduler: AnalysisScheduler | None) -> None:
        self._scheduler = scheduler

    def after_change(self, batch_id: int | None, actor: str) -> None:
        if self._scheduler is not None and batch_id is not None:
            self._scheduler.after_upload(batch_id, actor)


def get_analysis_trigger(request: Request) -> AnalysisTrigger:
    return AnalysisTrigger(getattr(request.app.state, "analysis", None))


AnalysisDep = Annotated[AnalysisTrigger, Depends(get_analysis_trigger)]
