"""Asking for a background analysis after a change to the data, from a route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.analysis.scheduler import AnalysisScheduler


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
