"""SQL that writes values as revisions: staged in bulk, compared with the current
values, and applied under locks; and the undoing of a batch's revisions.

Values are applied in bulk through a staging table: each staged value is new, a revision
of the current value, or unchanged. Revisions supersede (never overwrite) the current
row, which keeps the history and makes a batch revertible.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from app.bulk import copy_into_temp

StagedValue = tuple[str, int, str, date, date, float | None, float | None, float | None]

_STAGE_COLUMNS = (
    "indicator text, area_id bigint, period text, period_start date, period_end date, "
    "value double precision, numerator double precision, denominator double precision"
)


# Writers of few periods of an indicator lock those periods (and share the indicator),
# so that uploads of different months run side by side; writers of many periods, and
# reverts, take the whole indicator. Locks are taken in one global order: indicators,
# then (indicator, period) pairs, each sorted, so no two writers deadlock.
FINE_LOCKS_UP_TO = 24


def lock_indicators(session: Session, codes: Iterable[str]) -> None:
    """Serialise writers of the same indicators until the transaction ends."""
    for code in sorted(set(codes)):
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('nis.indicator'), hashtext(:c))"),
            {"c": code},
        )


def lock_indicator_periods(session: Session, pairs: Iterable[tuple[str, str]]) -> None:
    """Serialise writers of the same (indicator, period) values; see FINE_LOCKS_UP_TO."""
    by_indicator: dict[str, set[str]] = {}
    for code, period in pairs:
        by_indicator.setdefault(code, set()).add(period)
    coarse = sorted(c for c, periods in by_indicator.items() if len(periods) > FINE_LOCKS_UP_TO)
    fine = sorted(c for c in by_indicator if c not in coarse)
    for code in sorted(by_indicator):
        lock = "pg_advisory_xact_lock" if code in coarse else "pg_advisory_xact_lock_shared"
        session.execute(
            text(f"SELECT {lock}(hashtext('nis.indicator'), hashtext(:c))"), {"c": code}
        )
    for code, period in sorted((c, p) for c in fine for p in by_indicator[c]):
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:c), hashtext(:p))"),
            {"c": code, "p": period},
        )


def stage_values(session: Session, values: Iterable[StagedValue]) -> None:
    # Statistics are gathered only if the staged values need comparing (write_staged).
    copy_into_temp(session, "value_stage", _STAGE_COLUMNS, values, analyze=False)


def stage_values_from_query(session: Session, sql: str, params: dict[str, Any]) -> None:
    """Stage values computed by SQL (e.g. event counts) without a round trip."""
    session.execute(
        text(f"CREATE TEMP TABLE IF NOT EXISTS value_stage ({_STAGE_COLUMNS}) ON COMMIT DROP")
    )
    session.execute(text("TRUNCATE value_stage"))
    session.execute(
        text(
            "INSERT INTO value_stage (indicator, area_id, period, period_start, period_end, "
            f"value, numerator, denominator) {sql}"
        ),
        params,
    )


def write_staged(session: Session, batch_id: int) -> tuple[int, int, int]:
    """Store the staged values as revisions of ``batch_id``.

    Returns (inserted, revised, unchanged). Values for keys with no current value (new
    months, new areas: the usual case) are inserted in one pass; only the others are
    compared, and superseded where they differ.
    """
    staged = int(session.execute(text("SELECT count(*) FROM value_stage")).scalar_one())
    result: Any = session.execute(
        text(
            """
            INSERT INTO observation (indicator_code, area_id, period, period_start, period_end,
                                     value, numerator, denominator, batch_id)
            SELECT indicator, area_id, period, period_start, period_end, value, numerator,
                   denominator, :b
            FROM value_stage
            ON CONFLICT (indicator_code, area_id, period) WHERE superseded_at IS NULL
            DO NOTHING
            """
        ),
        {"b": batch_id},
    )
    fresh = int(result.rowcount)  # a CursorResult: INSERT returns no rows, only a count
    if fresh == staged:
        return fresh, 0, 0
    session.execute(text("ANALYZE value_stage"))
    # The fresh rows now compare as unchanged; they are counted as inserted instead.
    counts = compare_staged(session)
    apply_staged(session, batch_id)
    return fresh + int(counts.inserted), int(counts.revised), int(counts.unchanged) - fresh


def compare_staged(session: Session) -> Row[Any]:
    """How many staged values are new, revised or unchanged."""
    return session.execute(
        text(
            """
            SELECT count(*) FILTER (WHERE o.id IS NULL) AS inserted,
                   count(*) FILTER (WHERE o.id IS NOT NULL AND NOT same) AS revised,
                   count(*) FILTER (WHERE o.id IS NOT NULL AND same) AS unchanged
            FROM value_stage s
            LEFT JOIN observation o
              ON o.superseded_at IS NULL AND o.indicator_code = s.indicator
             AND o.area_id = s.area_id AND o.period = s.period
            CROSS JOIN LATERAL (
                SELECT o.value IS NOT DISTINCT FROM s.value
                   AND o.numerator IS NOT DISTINCT FROM s.numerator
                   AND o.denominator IS NOT DISTINCT FROM s.denominator AS same
            ) cmp
            """
        )
    ).one()


def apply_staged(session: Session, batch_id: int) -> None:
    """Supersede the current values that change, then insert the new revisions."""
    session.execute(
        text(
            "CREATE TEMP TABLE IF NOT EXISTS value_changes "
            "(indicator text, area_id bigint, period text, old_id bigint) ON COMMIT DROP"
        )
    )
    session.execute(text("TRUNCATE value_changes"))
    session.execute(
        text(
            """
            INSERT INTO value_changes (indicator, area_id, period, old_id)
            SELECT s.indicator, s.area_id, s.period, o.id
            FROM value_stage s
            LEFT JOIN observation o
              ON o.superseded_at IS NULL AND o.indicator_code = s.indicator
             AND o.area_id = s.area_id AND o.period = s.period
            WHERE o.id IS NULL
               OR o.value IS DISTINCT FROM s.value
               OR o.numerator IS DISTINCT FROM s.numerator
               OR o.denominator IS DISTINCT FROM s.denominator
            """
        )
    )
    session.execute(
        text(
            "UPDATE observation o SET superseded_at = now(), superseded_by = :b "
            "FROM value_changes c WHERE o.id = c.old_id"
        ),
        {"b": batch_id},
    )
    session.execute(
        text(
            """
            INSERT INTO observation (indicator_code, area_id, period, period_start, period_end,
                                     value, numerator, denominator, batch_id, replaces_id)
            SELECT s.indicator, s.area_id, s.period, s.period_start, s.period_end,
                   s.value, s.numerator, s.denominator, :b, c.old_id
            FROM value_changes c
            JOIN value_stage s USING (indicator, area_id, period)
            """
        ),
        {"b": batch_id},
    )


# ----------------------------------------------------------------------------- reverting


def batch_indicators(session: Session, batch_id: int) -> list[str]:
    return [
        str(c)
        for c in session.execute(
            text("SELECT DISTINCT indicator_code FROM observation WHERE batch_id = :b"),
            {"b": batch_id},
        ).scalars()
    ]


def overwritten_later(session: Session, batch_id: int) -> int:
    """How many of the batch's values later batches have already replaced."""
    return int(
        session.execute(
            text(
                "SELECT count(*) FROM observation WHERE batch_id = :b AND superseded_at IS NOT NULL"
            ),
            {"b": batch_id},
        ).scalar_one()
    )


def revert_values(session: Session, batch_id: int, revert_batch_id: int) -> tuple[int, int]:
    """Withdraw a batch's values and restore those they replaced.

    Returns (withdrawn, restored).
    """
    withdrawn = (
        session.execute(
            text(
                "UPDATE observation SET superseded_at = now(), superseded_by = :r "
                "WHERE batch_id = :b AND superseded_at IS NULL RETURNING replaces_id"
            ),
            {"b": batch_id, "r": revert_batch_id},
        )
        .scalars()
        .all()
    )
    replaced = [int(r) for r in withdrawn if r is not None]
    session.execute(
        text(
            "UPDATE observation SET superseded_at = NULL, superseded_by = NULL WHERE id = ANY(:ids)"
        ),
        {"ids": replaced},
    )
    session.execute(
        text("UPDATE batch SET reverted_at = now(), reverted_by = :r WHERE id = :b"),
        {"b": batch_id, "r": revert_batch_id},
    )
    return len(withdrawn), len(replaced)
