"""Asking for an analysis after a change to the data, from a route.

The web process never analyses: it records a request in the route's own transaction
(so a rolled-back upload asks for nothing), and analysis workers (``nis worker``, which
``nis serve`` starts beside the web server) serve it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from app.analysis import request_repository
from app.deps import SessionDep, SettingsDep


class AnalysisTrigger:
    """Asks for a background analysis after a change to the data (when enabled)."""

    def __init__(self, session: Session, enabled: bool) -> None:
        self._session = session
        self._enabled = enabled

    def after_change(self, batch_id: int | None, actor: str) -> None:
        """Queue a run in the request's transaction: it is asked for only if the change
        commits."""
        if self._enabled and batch_id is not None:
            request_repository.add_request(self._session, batch_id, actor)


def get_analysis_trigger(session: SessionDep, settings: SettingsDep) -> AnalysisTrigger:
    return AnalysisTrigger(session, settings.analysis_after_upload)


AnalysisDep = Annotated[AnalysisTrigger, Depends(get_analysis_trigger)]
