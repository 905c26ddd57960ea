"""Values stored on an older boundary vintage, converted into the newest one through a
boundary-change lookup (``vintage_link``, from ``nis import-lookup``), so that a series
runs through the change.

For each area of the newest vintage (the TO area) and period, the values of the older
areas linked to it (the FROM areas) combine by the ONS change class of their links:

- unchanged (U): as is; merged (M): summed;
- split (S) and redrawn (X): a FROM area's counts (and numerators and denominators) are
  apportioned by ``share``, the fraction of its people living in the TO area;
- rates and percentages are recomputed from the converted numerators and denominators,
  never averaged; without them, only a TO area made from one FROM area takes its rate;
- means and scores without counts are weighted by population (``to_share``, the fraction
  of the TO area's people who lived in each FROM area);
- ranks and deciles are not converted: an area's rank among other areas is no property
  of its people.

A converted value is given only when every FROM area feeding the TO area has a value (and
the lookup places all of the TO area's people). Its ``derived_from`` says so, with its
*fit* (a column of its own): the share of the TO area's people who came from FROM areas
that moved whole into it (1 for unchanged and merged areas, 0 for the parts of a split, in
between for a
redrawn one). Values stored on the newest vintage come first (the caller's
:func:`app.observations.values.first_of`). A value stored on an older area whose code the
newest vintage kept is read only as converted, so one code never reads twice; others
keep their old codes, as uploaded.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.indicators.indicator import Indicator
from app.observations import values as sql

ValuesSql = tuple[str, dict[str, Any]]

CONVERTED = " (converted)"

# A FROM area sending at least this share of its people to one TO area moved whole, and
# a TO area whose linked FROM areas hold at least this share of its people is covered
# (the lookups' shares are rounded).
WHOLE = 0.99
_ORDINAL_WORDS = ("rank", "decile", "quintile", "centile")


def stored_sources(
    session: Session,
    indicator: Indicator,
    f: sql.ValueFilter,
    p: str,
    notes: list[str],
    zeros: bool = True,
) -> list[ValuesSql]:
    """The values stored at ``f.type_code``, then those converted into its newest vintage
    from each older vintage linked to it (newest first; ``zeros`` as for
    :func:`app.observations.values.stored_values_sql`)."""
    stored = sql.stored_values_sql(indicator.code, f, p, zeros)
    newest, origins = _origins(session, f.type_code)
    if newest is None or not origins:
        return [stored]
    vintages = " and ".join(str(v) for v in origins)
    if is_ordinal(indicator):
        notes.append(
            f"{indicator.code} is a rank or decile: values on {f.type_code} {vintages} "
            f"areas are not converted into the {newest} areas"
        )
        return [stored]
    notes.append(
        f"{indicator.code} values stored on {f.type_code} {vintages} areas are converted "
        f"into the {newest} areas through the boundary-change lookup ({_rule(indicator)}); "
        f"derived_from says so, with the fit"
    )
    sources = [_without_kept_codes(stored, f.type_code, newest, f"{p}k_")]
    for n, origin in enumerate(origins):
        sources.append(converted_values_sql(indicator, f, newest, origin, f"{p}c{n}_"))
    return sources


def is_ordinal(indicator: Indicator) -> bool:
    """Whether values are ranks or deciles (the catalogue's value type says score)."""
    words = f"{indicator.code} {indicator.unit}".lower()
    return any(w in words for w in _ORDINAL_WORDS)


def _rule(indicator: Indicator) -> str:
    if indicator.kind.counted:
        return "counts apportioned by population share, summed where areas merged"
    if indicator.value_type in ("mean", "score"):
        return "from numerators and denominators where stored, else weighted by population"
    return (
        "recomputed from numerators and denominators; a rate without them only where one "
        "area became one, or split"
    )


def _origins(session: Session, type_code: str) -> tuple[int | None, list[int]]:
    """The newest vintage of a type, and the older vintages linked into it."""
    rows = session.execute(
        text(
            """
            WITH newest AS (SELECT max(vintage) AS v FROM area WHERE type_code = :t)
            SELECT (SELECT v FROM newest) AS newest, fa.vintage
            FROM newest LEFT JOIN LATERAL (
                SELECT DISTINCT fa.vintage FROM vintage_link l
                JOIN area t ON t.id = l.to_area_id
                JOIN area fa ON fa.id = l.from_area_id
                WHERE t.type_code = :t AND t.vintage = newest.v AND fa.vintage < newest.v
            ) fa ON true
            ORDER BY fa.vintage DESC
            """
        ),
        {"t": type_code},
    ).all()
    if not rows or rows[0].newest is None:
        return None, []
    return int(rows[0].newest), [int(r.vintage) for r in rows if r.vintage is not None]


def _without_kept_codes(stored: ValuesSql, type_code: str, newest: int, p: str) -> ValuesSql:
    """Stored values, less those on a linked older area whose code the newest vintage
    kept (they are part of what that code's newest area reads, converted)."""
    stored_sql, params = stored
    sql_text = f"""
        SELECT s.* FROM ({stored_sql}) s
        WHERE NOT EXISTS (
            SELECT 1 FROM area fa
            JOIN area t ON t.code = fa.code AND t.type_code = fa.type_code
            WHERE fa.id = s.area_id AND fa.vintage < :{p}newest
              AND t.type_code = :{p}type AND t.vintage = :{p}newest
              AND EXISTS (SELECT 1 FROM vintage_link l WHERE l.from_area_id = fa.id))
    """
    return sql_text, {**params, f"{p}type": type_code, f"{p}newest": newest}


def converted_values_sql(
    indicator: Indicator, f: sql.ValueFilter, newest: int, origin: int, p: str
) -> ValuesSql:
    """Values stored on ``origin`` areas of ``f.type_code`` converted into its ``newest``
    areas (columns as :func:`app.observations.values.stored_values_sql`)."""
    params: dict[str, Any] = {
        f"{p}i": indicator.code,
        f"{p}t": f.type_code,
        f"{p}newest": newest,
        f"{p}origin": origin,
        f"{p}mult": indicator.multiplier,
        f"{p}whole": WHOLE,
        f"{p}label": f"{f.type_code} {origin}{CONVERTED}",
    }
    target_where = ""
    if f.area_code is not None:
        target_where = f" AND t.code = :{p}area_code"
        params[f"{p}area_code"] = f.area_code
    obs_where, cov_where = "", ""
    for bound, op in (("start_from", ">="), ("start_to", "<=")):
        value = getattr(f, bound)
        if value is not None:
            obs_where += f" AND o.period_start {op} :{p}{bound}"
            cov_where += f" AND c.period_start {op} :{p}{bound}"
            params[f"{p}{bound}"] = value
    complete = f"count(*) = max(tg.n) AND max(tg.cover) >= :{p}whole"
    all_counts = "count(s.numerator) = count(*) AND count(s.denominator) = count(*)"
    if indicator.kind.counted:
        value = "sum(s.value * l.share)"
    else:
        by_counts = (
            f"sum(s.numerator * l.share) / NULLIF(sum(s.denominator * l.share), 0) * :{p}mult"
        )
        if indicator.value_type in ("mean", "score"):
            otherwise = "sum(s.value * l.to_share) / NULLIF(sum(l.to_share), 0)"
        else:  # a rate or a percentage is never averaged
            otherwise = "CASE WHEN count(*) = 1 THEN max(s.value) END"
        value = f"CASE WHEN {all_counts} THEN {by_counts} ELSE {otherwise} END"
    sql_text = f"""
        WITH link AS (
            SELECT l.from_area_id, l.to_area_id, l.share, l.to_share
            FROM vintage_link l
            JOIN area t ON t.id = l.to_area_id
            JOIN area fa ON fa.id = l.from_area_id
            WHERE t.type_code = :{p}t AND t.vintage = :{p}newest
              AND fa.vintage = :{p}origin{target_where}
        ), tg AS (
            SELECT to_area_id, count(*) AS n, sum(to_share) AS cover,
                   sum(CASE WHEN share >= :{p}whole THEN to_share ELSE 0 END) AS fit
            FROM link GROUP BY to_area_id
        ), src AS (
            SELECT o.area_id, o.period, o.period_start, o.value, o.numerator, o.denominator
            FROM observation o
            WHERE o.indicator_code = :{p}i AND o.superseded_at IS NULL
              AND o.area_id IN (SELECT from_area_id FROM link){obs_where}
            UNION ALL
            SELECT fa.id, c.period, c.period_start, 0, NULL, NULL
            FROM (SELECT DISTINCT c.period, c.period_start
                  FROM count_coverage c JOIN batch b ON b.id = c.batch_id
                  WHERE c.indicator_code = :{p}i AND c.type_code = :{p}t
                    AND c.vintage = :{p}origin AND b.reverted_at IS NULL{cov_where}) c
            CROSS JOIN (SELECT DISTINCT from_area_id AS id FROM link) fa
            WHERE NOT EXISTS (
                SELECT 1 FROM observation o WHERE o.indicator_code = :{p}i
                AND o.area_id = fa.id AND o.period = c.period AND o.superseded_at IS NULL)
        )
        SELECT l.to_area_id AS area_id, s.period, min(s.period_start) AS period_start,
               CASE WHEN {complete} THEN {value} END AS value,
               CASE WHEN {complete} AND {all_counts}
                    THEN sum(s.numerator * l.share) END AS numerator,
               CASE WHEN {complete} AND {all_counts}
                    THEN sum(s.denominator * l.share) END AS denominator,
               CAST(:{p}label AS text) AS derived_from, max(tg.fit) AS fit
        FROM link l
        JOIN tg ON tg.to_area_id = l.to_area_id
        JOIN src s ON s.area_id = l.from_area_id
        GROUP BY l.to_area_id, s.period
    """
    return sql_text, params
