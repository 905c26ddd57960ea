"""SQL that reads current values: stored, summed up the hierarchy, or computed as a rate.

Counts aggregate up the area hierarchy by summing; rates and percentages by summing
their numerators and denominators, never by averaging rates. An aggregate is given only
when every area below has a value, so a missing area never silently lowers a total.

Counts made from events are stored only where something happened; ``count_coverage``
says which (indicator, area type and vintage, period) were counted, and every other
area of a counted period reads as zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ValueFilter:
    type_code: str
    area_code: str | None = None
    start_from: date | None = None  # period_start >= this
    start_to: date | None = None  # period_start <= this


def stored_types(session: Session, indicator: str) -> list[str]:
    """Area types that hold stored (current) values of ``indicator``, or counted zeros."""
    rows = session.execute(
        text(
            # Per type, its areas are looked up one by one (the LATERAL ... LIMIT keeps
            # the planner from joining them to every value of the indicator instead),
            # stopping at the first with a value: a type holding none costs a probe per
            # area, where the join read all the indicator's values for each type.
            "SELECT t.code FROM area_type t WHERE EXISTS ("
            "  SELECT 1 FROM area a CROSS JOIN LATERAL ("
            "    SELECT 1 FROM observation o WHERE o.area_id = a.id "
            "    AND o.indicator_code = :i AND o.superseded_at IS NULL LIMIT 1) o "
            "  WHERE a.type_code = t.code"
            ") OR EXISTS ("
            "  SELECT 1 FROM count_coverage c JOIN batch b ON b.id = c.batch_id "
            "  WHERE c.indicator_code = :i AND c.type_code = t.code AND b.reverted_at IS NULL)"
        ),
        {"i": indicator},
    )
    return sorted(str(t) for t in rows.scalars())


def counted_types(session: Session, indicator: str) -> frozenset[str]:
    """Area types at which ``indicator`` was counted from events (their other areas read
    as zero in a counted period)."""
    rows = session.execute(
        text(
            "SELECT DISTINCT c.type_code FROM count_coverage c JOIN batch b ON b.id = c.batch_id "
            "WHERE c.indicator_code = :i AND b.reverted_at IS NULL"
        ),
        {"i": indicator},
    )
    return frozenset(str(t) for t in rows.scalars())


def _filters(f: ValueFilter, area_alias: str, obs_alias: str, p: str) -> tuple[str, dict[str, Any]]:
    """WHERE clauses for a filter; parameter names start with ``p`` to keep them apart."""
    where = [f"{area_alias}.type_code = :{p}type_code"]
    params: dict[str, Any] = {f"{p}type_code": f.type_code}
    if f.area_code is not None:
        where.append(f"{area_alias}.code = :{p}area_code")
        params[f"{p}area_code"] = f.area_code
    if f.start_from is not None:
        where.append(f"{obs_alias}.period_start >= :{p}start_from")
        params[f"{p}start_from"] = f.start_from
    if f.start_to is not None:
        where.append(f"{obs_alias}.period_start <= :{p}start_to")
        params[f"{p}start_to"] = f.start_to
    return " AND ".join(where), params


def stored_values_sql(
    indicator: str, f: ValueFilter, p: str = "s_", zeros: bool = True
) -> tuple[str, dict[str, Any]]:
    """Current values at ``f.type_code``: those stored, and zeros where counted (left
    out when ``zeros`` is false, for a type :func:`counted_types` says was never
    counted: the planner would otherwise search every stored value for ones that stop
    a zero)."""
    where, params = _filters(f, "a", "o", p)
    zero_where, _ = _filters(f, "a", "c", p)
    params[f"{p}indicator"] = indicator
    sql = f"""
        SELECT o.area_id, o.period, o.period_start, o.value, o.numerator, o.denominator,
               NULL::text AS derived_from, NULL::float8 AS fit
        FROM observation o JOIN area a ON a.id = o.area_id
        WHERE o.indicator_code = :{p}indicator AND o.superseded_at IS NULL AND {where}
    """
    if not zeros:
        return sql, params
    sql += f"""
        UNION ALL
        SELECT a.id, c.period, c.period_start, 0, NULL, NULL, NULL::text, NULL::float8
        FROM (SELECT DISTINCT c.type_code, c.vintage, c.period, c.period_start
              FROM count_coverage c JOIN batch b ON b.id = c.batch_id
              WHERE c.indicator_code = :{p}indicator AND b.reverted_at IS NULL) c
        JOIN area a ON a.type_code = c.type_code AND a.vintage = c.vintage
        WHERE {zero_where} AND NOT EXISTS (
            SELECT 1 FROM observation o WHERE o.indicator_code = :{p}indicator
            AND o.area_id = a.id AND o.period = c.period AND o.superseded_at IS NULL)
    """
    return sql, params


def aggregated_values_sql(
    indicator: str,
    source_type: str,
    multiplier: int,
    is_count: bool,
    f: ValueFilter,
    p: str = "g_",
    zeros: bool = True,
) -> tuple[str, dict[str, Any]]:
    """Values at ``f.type_code`` summed from stored values at ``source_type`` below it
    (``zeros`` as for :func:`stored_values_sql`)."""
    where, params = _filters(f, "anc", "o", p)
    leaf_sql, leaf_params = stored_values_sql(
        indicator, replace(f, type_code=source_type, area_code=None), p + "l_", zeros
    )
    params.update(leaf_params)
    params.update({f"{p}source_type": source_type, f"{p}mult": multiplier})
    value = (
        "sum(o.value)"
        if is_count
        else f"sum(o.numerator) / NULLIF(sum(o.denominator), 0) * :{p}mult"
    )
    # The stored values are had once (MATERIALIZED): with a stale estimate of the areas
    # the planner would otherwise read them again for every small area.
    sql = f"""
        WITH RECURSIVE chain(leaf_id, ancestor_id) AS (
            SELECT id, parent_id FROM area
            WHERE type_code = :{p}source_type AND parent_id IS NOT NULL
            UNION ALL
            SELECT c.leaf_id, a.parent_id FROM chain c JOIN area a ON a.id = c.ancestor_id
            WHERE a.parent_id IS NOT NULL
        ), leaves AS (
            SELECT c.ancestor_id, count(*) AS n FROM chain c GROUP BY c.ancestor_id
        ), o AS MATERIALIZED ({leaf_sql})
        SELECT anc.id AS area_id, o.period, min(o.period_start) AS period_start,
               CASE WHEN count(*) = max(l.n) THEN {value} END AS value,
               CASE WHEN count(*) = max(l.n) THEN sum(o.numerator) END AS numerator,
               CASE WHEN count(*) = max(l.n) THEN sum(o.denominator) END AS denominator,
               CAST(:{p}source_type AS text) AS derived_from, NULL::float8 AS fit
        FROM chain c
        JOIN area anc ON anc.id = c.ancestor_id
        JOIN leaves l ON l.ancestor_id = anc.id
        JOIN o ON o.area_id = c.leaf_id
        WHERE {where}
        GROUP BY anc.id, o.period
    """
    return sql, params


def first_of(sources: Sequence[tuple[str, dict[str, Any]]]) -> tuple[str, dict[str, Any]]:
    """One value per area and period from several queries, the first that has a value
    (a stored value before a sum; where none has, the first row)."""
    if len(sources) == 1:
        return sources[0]
    params: dict[str, Any] = {}
    parts = []
    for rank, (part_sql, part_params) in enumerate(sources):
        params.update(part_params)
        parts.append(
            f"SELECT {rank} AS rank_, s.area_id, s.period, s.period_start, s.value, "
            f"s.numerator, s.denominator, s.derived_from, s.fit FROM ({part_sql}) s"
        )
    union = " UNION ALL ".join(parts)
    sql = f"""
        SELECT DISTINCT ON (u.area_id, u.period) u.area_id, u.period, u.period_start,
               u.value, u.numerator, u.denominator, u.derived_from, u.fit
        FROM ({union}) u
        ORDER BY u.area_id, u.period, (u.value IS NULL), u.rank_
    """
    return sql, params


def union_all(sources: Sequence[tuple[str, dict[str, Any]]]) -> tuple[str, dict[str, Any]]:
    """Every row of several values queries (an area and period may come more than once)."""
    params: dict[str, Any] = {}
    for _, part_params in sources:
        params.update(part_params)
    return " UNION ALL ".join(f"SELECT s.* FROM ({q}) s" for q, _ in sources), params


def rate_values_sql(
    numerator_sql: tuple[str, dict[str, Any]],
    denominator_sql: tuple[str, dict[str, Any]],
    multiplier: int,
    p: str = "r_",
) -> tuple[str, dict[str, Any]]:
    """A rate from a count and a denominator such as population.

    The denominator is the value for the period containing the count's period, or else
    the latest before it (a 2021 month takes the 2020 population until 2021 is loaded).
    """
    num_sql, num_params = numerator_sql
    den_sql, den_params = denominator_sql
    if set(num_params) & set(den_params):
        raise ValueError("numerator and denominator queries must use distinct prefixes")
    # The denominators are had once (MATERIALIZED) with the start of the next one, so
    # each count finds its denominator by a join rather than a query per count.
    sql = f"""
        WITH num AS ({num_sql}),
        den AS MATERIALIZED (
            SELECT d.area_id, d.period_start, d.value, d.fit, d.derived_from,
                   lead(d.period_start) OVER (
                       PARTITION BY d.area_id ORDER BY d.period_start) AS next_start
            FROM (SELECT DISTINCT ON (area_id, period_start) * FROM ({den_sql}) d0
                  ORDER BY area_id, period_start) d
        )
        SELECT num.area_id, num.period, num.period_start,
               num.value / NULLIF(d.value, 0) * :{p}mult AS value,
               num.value AS numerator, d.value AS denominator,
               CASE WHEN num.fit IS NULL AND d.fit IS NULL THEN 'numerator/denominator'
                    ELSE COALESCE(num.derived_from, d.derived_from) END AS derived_from,
               LEAST(num.fit, d.fit) AS fit
        FROM num
        LEFT JOIN den d ON d.area_id = num.area_id AND d.period_start <= num.period_start
             AND (d.next_start IS NULL OR num.period_start < d.next_start)
    """
    return sql, {**num_params, **den_params, f"{p}mult": multiplier}


def has_numerators(session: Session, indicator: str) -> bool:
    """Whether stored values of ``indicator`` carry numerators and denominators."""
    return (
        session.execute(
            text(
                "SELECT 1 FROM observation WHERE indicator_code = :i AND superseded_at IS NULL "
                "AND numerator IS NOT NULL AND denominator IS NOT NULL LIMIT 1"
            ),
            {"i": indicator},
        ).first()
        is not None
    )


def fetch(
    session: Session, values: tuple[str, dict[str, Any]], codes: Sequence[str] | None = None
) -> Sequence[Row[Any]]:
    """Rows with area code and name, ordered by area then period (of the areas with
    ``codes`` only, if given)."""
    sql, params = values
    where = "" if codes is None else "WHERE a.code = ANY(CAST(:codes_ AS text[])) "
    return session.execute(
        text(
            f"SELECT a.id AS area_id, a.code AS area_code, a.name AS area_name, "
            f"a.type_code AS area_type, "
            f"v.period, v.period_start, v.value, v.numerator, v.denominator, v.derived_from, "
            f"v.fit "
            f"FROM ({sql}) v JOIN area a ON a.id = v.area_id {where}"
            f"ORDER BY a.code, v.period_start"
        ),
        params if codes is None else {**params, "codes_": list(codes)},
    ).all()


def periods(session: Session, values: tuple[str, dict[str, Any]]) -> list[str]:
    """Every period label of a values query, oldest first."""
    sql, params = values
    rows = session.execute(
        text(f"SELECT v.period FROM ({sql}) v GROUP BY v.period ORDER BY min(v.period_start)"),
        params,
    )
    return [str(r) for r in rows.scalars()]
