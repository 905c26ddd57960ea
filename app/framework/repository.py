"""SQL of the performance framework (:mod:`app.framework.service` holds the rules): the
snapshots history keeps, the framework as it stood at a time, and the lookups the
services need. Writes of single rows go through the ORM models."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, text
from sqlalchemy.orm import Session

from app.framework.models import Action, Board, Measure, Outcome

MODELS: dict[str, Any] = {"board": Board, "outcome": Outcome, "measure": Measure, "action": Action}

_SNAPSHOTS = {
    "board": """
        SELECT json_build_object(
            'id', b.id, 'code', b.code, 'name', b.name, 'kind', b.kind,
            'parent', (SELECT p.code FROM board p WHERE p.id = b.parent_id),
            'email', b.email, 'webhook', b.webhook_url IS NOT NULL, 'version', b.version,
            'members', COALESCE((
                SELECT json_agg(json_build_object('user_id', u.id, 'username', u.username,
                    'name', COALESCE(u.display_name, u.username), 'email', u.email,
                    'role', m.role) ORDER BY m.role, u.username)
                FROM board_member m JOIN app_user u ON u.id = m.user_id
                WHERE m.board_id = b.id), '[]'),
            'meetings', COALESCE((
                SELECT json_agg(json_build_object('id', mt.id, 'meets_on', mt.meets_on,
                    'updates_due', mt.updates_due) ORDER BY mt.meets_on)
                FROM board_meeting mt WHERE mt.board_id = b.id), '[]'),
            'interests', COALESCE((
                SELECT json_agg(json_build_object('id', i.id, 'kind', i.kind,
                    'action', (SELECT x.code FROM action x WHERE x.id = i.action_id),
                    'measure', (SELECT x.code FROM measure x WHERE x.id = i.measure_id),
                    'indicator', i.indicator_code,
                    'area', (SELECT a.code FROM area a WHERE a.id = i.area_id),
                    'area_name', (SELECT a.name FROM area a WHERE a.id = i.area_id),
                    'area_type', (SELECT a.type_code FROM area a WHERE a.id = i.area_id),
                    'area_id', i.area_id) ORDER BY i.id)
                FROM board_interest i WHERE i.board_id = b.id), '[]'))
        FROM board b WHERE b.id = :id
    """,
    "outcome": """
        SELECT json_build_object('id', o.id, 'code', o.code, 'title', o.title,
            'parent', (SELECT p.code FROM outcome p WHERE p.id = o.parent_id),
            'version', o.version)
        FROM outcome o WHERE o.id = :id
    """,
    "measure": """
        SELECT json_build_object(
            'id', m.id, 'code', m.code, 'title', m.title,
            'outcome', (SELECT o.code FROM outcome o WHERE o.id = m.outcome_id),
            'indicator', m.indicator_code, 'scope', m.scope, 'area_type', m.area_type,
            'area_code', m.area_code, 'groups', m.groups, 'statistic', m.statistic,
            'improvement', m.improvement, 'baseline_period', m.baseline_period,
            'baseline_value', m.baseline_value,
            'lead_board', (SELECT b.code FROM board b WHERE b.id = m.lead_board_id),
            'frequency', m.frequency, 'version', m.version,
            'targets', COALESCE((
                SELECT json_agg(json_build_object('due_period', t.due_period,
                    'value', t.value, 'milestone', t.milestone, 'trajectory', t.trajectory,
                    'profile', t.profile) ORDER BY t.due_period)
                FROM target t WHERE t.measure_id = m.id), '[]'))
        FROM measure m WHERE m.id = :id
    """,
    "action": """
        SELECT json_build_object(
            'id', x.id, 'code', x.code, 'title', x.title, 'description', x.description,
            'owner_id', x.owner_id, 'owner', u.username,
            'owner_name', COALESCE(u.display_name, u.username), 'owner_email', u.email,
            'lead_agency', ag.name, 'partners', x.partners, 'starts_on', x.starts_on,
            'ends_on', x.ends_on, 'status', x.status,
            'percent_complete', x.percent_complete, 'alert_id', x.alert_id,
            'alert_sentence', x.alert_sentence, 'alert_indicators', x.alert_indicators,
            'selected_from', x.selected_from,
            'created_at', x.created_at,
            'version', x.version,
            'measures', COALESCE((
                SELECT json_agg(json_build_object('measure', m.code, 'expected', l.expected,
                    'lag_months', l.lag_months, 'linked_at', l.linked_at) ORDER BY m.code)
                FROM action_measure l JOIN measure m ON m.id = l.measure_id
                WHERE l.action_id = x.id), '[]'),
            'areas', COALESCE((
                SELECT json_agg(json_build_object('id', a.id, 'code', a.code,
                    'name', a.name, 'type', a.type_code) ORDER BY a.code)
                FROM action_area aa JOIN area a ON a.id = aa.area_id
                WHERE aa.action_id = x.id), '[]'))
        FROM action x JOIN app_user u ON u.id = x.owner_id
        LEFT JOIN agency ag ON ag.id = x.lead_agency_id
        WHERE x.id = :id
    """,
}


def now(session: Session) -> datetime:
    """The transaction's time (what ``now()`` stamps every row of it with)."""
    value: datetime = session.execute(text("SELECT now()")).scalar_one()
    return value


def snapshot(session: Session, entity: str, row_id: int) -> dict[str, Any]:
    found: dict[str, Any] = session.execute(text(_SNAPSHOTS[entity]), {"id": row_id}).scalar_one()
    return found


def revisions_as_of(
    session: Session, entity: str, at: datetime | None
) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        text(
            "SELECT DISTINCT ON (entity_id) entity_id, op, data FROM framework_revision "
            "WHERE entity = :e AND (CAST(:at AS timestamptz) IS NULL OR at <= :at) "
            "ORDER BY entity_id, id DESC"
        ),
        {"e": entity, "at": at},
    )
    return {int(r.entity_id): dict(r.data) for r in rows if r.op != "delete"}


def revisions_since(session: Session, at: datetime) -> list[dict[str, Any]]:
    rows = session.execute(
        text(
            "SELECT entity, entity_id, version, op, actor, at, "
            "data->>'code' AS code FROM framework_revision WHERE at > :at ORDER BY id"
        ),
        {"at": at},
    )
    return [dict(r._mapping) for r in rows]


def revisions_of(session: Session, entity: str, row_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        text(
            "SELECT version, op, actor, at, data FROM framework_revision "
            "WHERE entity = :e AND entity_id = :id ORDER BY id"
        ),
        {"e": entity, "id": row_id},
    )
    return [dict(r._mapping) for r in rows]


def by_code(session: Session, entity: str, code: str) -> Any:
    model = MODELS[entity]
    return session.execute(select(model).where(model.code == code)).scalar_one_or_none()


def ids_by_code(session: Session, entity: str) -> dict[str, int]:
    table = {"board": "board", "outcome": "outcome", "measure": "measure", "action": "action"}
    rows = session.execute(text(f"SELECT code, id FROM {table[entity]}"))
    return {str(c): int(i) for c, i in rows}


def user_named(session: Session, username: str) -> Row[Any] | None:
    return session.execute(
        text("SELECT id, username, email, disabled_at FROM app_user WHERE username = lower(:u)"),
        {"u": username.strip()},
    ).first()


def agency_id(session: Session, name: str) -> int | None:
    found = session.execute(
        text("SELECT id FROM agency WHERE name = :n"), {"n": name.strip()}
    ).scalar_one_or_none()
    return None if found is None else int(found)


def area_ids(session: Session, codes: Sequence[str]) -> dict[str, int]:
    """Area ids by code (the newest vintage where a code has several)."""
    rows = session.execute(
        text(
            "SELECT DISTINCT ON (code) code, id FROM area WHERE code = ANY(:c) "
            "ORDER BY code, vintage DESC"
        ),
        {"c": list(codes)},
    )
    return {str(c): int(i) for c, i in rows}


def area_type_of(session: Session, area_id: int) -> str:
    found: str = session.execute(
        text("SELECT type_code FROM area WHERE id = :i"), {"i": area_id}
    ).scalar_one()
    return found


def area_codes_within(session: Session, area_ids: Sequence[int]) -> set[str]:
    """The codes of the areas, and of the small areas whose best fit lies in them (a
    ward's LSOAs): where a board's or an action's areas are."""
    if not area_ids:
        return set()
    rows = session.execute(
        text(
            "SELECT a.code FROM area a WHERE a.id = ANY(:ids) UNION "
            "SELECT s.code FROM area_overlay o JOIN area s ON s.id = o.source_id "
            "WHERE o.target_id = ANY(:ids) AND o.best"
        ),
        {"ids": list(area_ids)},
    )
    return {str(c) for c in rows.scalars()}


def is_member(session: Session, board_id: int, user_id: int | None) -> bool:
    if user_id is None:
        return False
    found = session.execute(
        text("SELECT 1 FROM board_member WHERE board_id = :b AND user_id = :u"),
        {"b": board_id, "u": user_id},
    ).first()
    return found is not None


def updates(
    session: Session, action_ids: Sequence[int], at: datetime | None = None
) -> list[dict[str, Any]]:
    """The actions' updates made by ``at`` (all when None), newest first."""
    rows = session.execute(
        text(
            "SELECT id, action_id, cycle, author, status, progress, narrative, blockers, "
            "created_at FROM action_update WHERE action_id = ANY(:ids) "
            "AND (CAST(:at AS timestamptz) IS NULL OR created_at <= :at) "
            "ORDER BY action_id, cycle DESC, id DESC"
        ),
        {"ids": list(action_ids), "at": at},
    )
    return [dict(r._mapping) for r in rows]


def latest_assessments(
    session: Session,
    measure_ids: Sequence[int],
    at: datetime | None = None,
    per_measure: int = 1,
    *,
    reported: bool = False,
) -> dict[int, list[dict[str, Any]]]:
    """Each measure's newest ``per_measure`` assessments made by ``at`` (those made for
    issued reports only, when ``reported``), newest first."""
    rows = session.execute(
        text(
            """
            SELECT * FROM (
                SELECT a.*, row_number() OVER (PARTITION BY measure_id
                                               ORDER BY assessed_at DESC, id DESC) AS n
                FROM measure_assessment a
                WHERE measure_id = ANY(:ids) AND (reported OR NOT :reported)
                  AND (CAST(:at AS timestamptz) IS NULL OR assessed_at <= :at)
            ) s WHERE n <= :k ORDER BY measure_id, n
            """
        ),
        {"ids": list(measure_ids), "at": at, "k": per_measure, "reported": reported},
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(int(r.measure_id), []).append(dict(r._mapping))
    return out


def open_flags(
    session: Session, measure_ids: Sequence[int], at: datetime | None = None
) -> dict[int, dict[str, Any]]:
    """The innovation flags open at ``at`` (now when None), by measure."""
    rows = session.execute(
        text(
            "SELECT id, measure_id, raised_at, reason FROM innovation_flag "
            "WHERE measure_id = ANY(:ids) "
            "AND (CAST(:at AS timestamptz) IS NULL OR raised_at <= :at) "
            "AND (cleared_at IS NULL OR (CAST(:at AS timestamptz) IS NOT NULL "
            "AND cleared_at > :at))"
        ),
        {"ids": list(measure_ids), "at": at},
    )
    return {int(r.measure_id): dict(r._mapping) for r in rows}


def run_at(session: Session, at: datetime | None) -> int | None:
    """The newest analysis run finished by ``at`` (now when None)."""
    found = session.execute(
        text(
            "SELECT id FROM analysis_run WHERE status = 'done' "
            "AND (CAST(:at AS timestamptz) IS NULL OR finished_at <= :at) "
            "ORDER BY finished_at DESC, id DESC LIMIT 1"
        ),
        {"at": at},
    ).scalar_one_or_none()
    return None if found is None else int(found)


def batch_mark(session: Session, at: datetime | None) -> int | None:
    """The newest batch made by ``at`` (now when None): what the data stood at."""
    found = session.execute(
        text(
            "SELECT max(id) FROM batch WHERE CAST(:at AS timestamptz) IS NULL OR created_at <= :at"
        ),
        {"at": at},
    ).scalar_one_or_none()
    return None if found is None else int(found)


def batches_since(
    session: Session, mark: int | None, indicators: Sequence[str]
) -> list[dict[str, Any]]:
    """The batches after ``mark`` that wrote values of ``indicators`` (a revision is a
    new row of its batch), and the reverts of batches that had."""
    rows = session.execute(
        text(
            """
            SELECT b.id, b.kind, b.actor, b.created_at, b.inserted, b.revised, b.reverted_at,
                   ag.name AS agency,
                   ARRAY(SELECT DISTINCT o.indicator_code FROM observation o
                         WHERE o.batch_id = b.id AND o.indicator_code = ANY(:i)
                         ORDER BY 1) AS indicators
            FROM batch b LEFT JOIN agency ag ON ag.id = b.agency_id
            WHERE b.id > COALESCE(:mark, 0)
              AND (EXISTS (SELECT 1 FROM observation o
                           WHERE o.batch_id = b.id AND o.indicator_code = ANY(:i))
                   OR EXISTS (SELECT 1 FROM batch r JOIN observation o ON o.batch_id = r.id
                              WHERE r.reverted_by = b.id AND o.indicator_code = ANY(:i)))
            ORDER BY b.id
            """
        ),
        {"mark": mark, "i": list(indicators)},
    )
    return [dict(r._mapping) for r in rows]


def has_update(session: Session, action_id: int, cycle: str) -> bool:
    found = session.execute(
        text("SELECT 1 FROM action_update WHERE action_id = :a AND cycle = :c"),
        {"a": action_id, "c": cycle},
    ).first()
    return found is not None


def clear_flags(session: Session, measure_id: int, action_id: int) -> None:
    """Take the measure's open innovation flag off the agenda: ``action_id`` is new."""
    session.execute(
        text(
            "UPDATE innovation_flag SET cleared_at = now(), cleared_by_action_id = :a "
            "WHERE measure_id = :m AND cleared_at IS NULL"
        ),
        {"a": action_id, "m": measure_id},
    )


def alert_run(session: Session, alert_id: int) -> int | None:
    found = session.execute(
        text("SELECT run_id FROM alert WHERE id = :id"), {"id": alert_id}
    ).scalar_one_or_none()
    return None if found is None else int(found)


def issued_reports(session: Session, board_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        text(
            "SELECT r.id, r.issued_at, r.issued_by, r.batch_mark, r.run_id, m.meets_on "
            "FROM board_report r LEFT JOIN board_meeting m ON m.id = r.meeting_id "
            "WHERE r.board_id = :b ORDER BY r.issued_at DESC, r.id DESC"
        ),
        {"b": board_id},
    )
    return [dict(r._mapping) for r in rows]


def last_changes(session: Session) -> dict[tuple[str, int], datetime]:
    """When each framework row last changed, by (entity, id)."""
    rows = session.execute(
        text("SELECT entity, entity_id, max(at) FROM framework_revision GROUP BY 1, 2")
    )
    return {(str(e), int(i)): t for e, i, t in rows}


def small_area_ids(session: Session, area_ids: Sequence[int]) -> list[int]:
    """The areas, and the small areas whose best fit lies in them."""
    rows = session.execute(
        text(
            "SELECT source_id FROM area_overlay WHERE target_id = ANY(:ids) AND best "
            "UNION SELECT unnest(CAST(:ids AS bigint[]))"
        ),
        {"ids": list(area_ids)},
    )
    return [int(i) for i in rows.scalars()]


def issued_report_at(session: Session, board_id: int, at: datetime) -> Row[Any] | None:
    """The board's report issued at exactly ``at``, if any."""
    return session.execute(
        text(
            "SELECT id, batch_mark, run_id, content FROM board_report "
            "WHERE board_id = :b AND issued_at = :at ORDER BY id DESC LIMIT 1"
        ),
        {"b": board_id, "at": at},
    ).first()


def assessments_by_id(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Recorded assessments by their ids, keyed by measure."""
    rows = session.execute(
        text("SELECT * FROM measure_assessment WHERE id = ANY(:ids)"),
        {"ids": [i for i in ids if i is not None]},
    )
    return {int(r.measure_id): dict(r._mapping) for r in rows}


def updates_by_id(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Updates by their ids, keyed by action."""
    rows = session.execute(
        text(
            "SELECT id, action_id, cycle, author, status, progress, narrative, blockers, "
            "created_at FROM action_update WHERE id = ANY(:ids)"
        ),
        {"ids": [i for i in ids if i is not None]},
    )
    return {int(r.action_id): dict(r._mapping) for r in rows}
