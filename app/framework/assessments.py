"""Assessing measures: their risks computed now, and recorded with what the data stood at
(the newest batch and analysis run), so that a report shows what a board saw and the
innovation flag compares one report with the one before.

Reading a measure's risks computes them without recording (a GET writes nothing but the
audit); issuing a report, ``nis framework assess`` and the notifier record them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.access import policy
from app.access.viewer import Viewer
from app.analysis.repository import finite
from app.framework import history, risks
from app.framework import repository as repo
from app.framework.models import Assessment, InnovationFlag
from app.framework.series import Memo
from app.framework.service import measure as visible_measure


def linked_actions(actions: dict[int, dict[str, Any]], measure_code: str) -> list[dict[str, Any]]:
    """The actions (snapshots) linked to the measure, by code."""
    return sorted(
        (a for a in actions.values() if any(m["measure"] == measure_code for m in a["measures"])),
        key=lambda a: a["code"],
    )


def measure_risks(session: Session, viewer: Viewer, code: str) -> dict[str, Any]:
    """One measure's risks as the data stand now (not recorded), with its open flag."""
    snap = visible_measure(session, viewer, code)
    actions = history.as_of(session, "action", None)
    previous = repo.latest_assessments(session, [snap["id"]], reported=True).get(snap["id"], [])
    result = risks.assess(
        session, snap, linked_actions(actions, snap["code"]), previous[0] if previous else None
    )
    flag = repo.open_flags(session, [snap["id"]]).get(snap["id"])
    return {"measure": snap, "risks": result, "flag": flag, "assessed_at": repo.now(session)}


def assess_measures(
    session: Session,
    viewer: Viewer,
    codes: list[str] | None = None,
    *,
    reported: bool = False,
    memo: Memo | None = None,
) -> list[dict[str, Any]]:
    """Assess the measures named (every measure when None) and record each assessment.
    For an issued report (``reported``), also raise the innovation flag where it is now
    due: effectiveness not shown at this report and the one before. Returns them."""
    policy.require_partner(viewer)
    measures = history.as_of(session, "measure", None)
    if codes is not None:
        wanted = set(codes)
        measures = {k: m for k, m in measures.items() if m["code"] in wanted}
    actions = history.as_of(session, "action", None)
    previous = repo.latest_assessments(session, list(measures), reported=True)
    flags = repo.open_flags(session, list(measures))
    mark, run = repo.batch_mark(session, None), repo.run_at(session, None)
    memo = memo or Memo()
    out = []
    for measure_id, snap in sorted(measures.items(), key=lambda kv: kv[1]["code"]):
        before = previous.get(measure_id, [])
        linked = linked_actions(actions, snap["code"])
        result = risks.assess(session, snap, linked, before[0] if before else None, memo)
        row = Assessment(
            measure_id=measure_id, batch_mark=mark, run_id=run,
            speed=result["speed"].get("level"), future=result["future"].get("level"),
            effective=result["effective"], reported=reported, result=finite(result),
        )  # fmt: skip
        session.add(row)
        if reported and result["innovation"]["raised"] and measure_id not in flags:
            session.add(
                InnovationFlag(measure_id=measure_id, reason=result["innovation"]["reason"])
            )
        out.append({"measure": snap["code"], "measure_id": measure_id, "result": result,
                    "row": row})  # fmt: skip
    session.flush()
    return out


def assessments_at(
    session: Session, measure_ids: list[int], at: datetime | None
) -> dict[int, dict[str, Any]]:
    """Each measure's newest recorded assessment by ``at``."""
    return {k: v[0] for k, v in repo.latest_assessments(session, measure_ids, at).items() if v}
