"""Values carried from the finest areas to a type they do not nest in (wards,
neighbourhoods, committees, custom patches), along the overlay of :mod:`app.areas.overlay`.

By the indicator's ``apportionment``:

- ``population`` (the default): each small area's values are shared out by the share of
  its population inside the area; ``best_fit``: each small area goes whole to the area
  holding most of its population; ``none``: not carried (ranks and deciles do not add up).
- Counts, numerators and denominators are carried; a rate or percentage is computed
  again from the carried numerator and denominator, never averaged. A value without
  them (a score, a mean without its counts) is the population-weighted mean.
- A carried value is given only when every small area feeding the area has a value in
  the period, and it says how well the area fits (``fit``, the share of its population
  covered by whole small areas) and what it is estimated from (``derived_from``).
"""

from __future__ import annotations

from typing import Any

from app.indicators.indicator import Apportionment, Indicator
from app.observations.values import ValueFilter

ValuesSql = tuple[str, dict[str, Any]]

ESTIMATED = " (estimated)"


def carried_values_sql(
    indicator: Indicator, source_type: str, source: ValuesSql, f: ValueFilter, p: str
) -> ValuesSql:
    """``indicator`` at ``f.type_code`` from its values at ``source_type`` (``source``,
    a query of every area of that type)."""
    source_sql, source_params = source
    best = indicator.carried_by is Apportionment.BEST_FIT
    weight = "1.0" if best else "l.share"
    links = "l.best" if best else "true"
    where = [f"t.type_code = :{p}type_code", links]
    params: dict[str, Any] = {
        **source_params,
        f"{p}type_code": f.type_code,
        f"{p}mult": indicator.multiplier,
        f"{p}from": source_type + ESTIMATED,
        f"{p}source_type": source_type,
    }
    if f.area_code is not None:
        where.append(f"t.code = :{p}area_code")
        params[f"{p}area_code"] = f.area_code
    complete = "count(o.value) = max(n.n)"
    if indicator.kind.counted:
        value = f"sum({weight} * o.value)"
    else:
        with_counts = "count(o.numerator) = count(*) AND count(o.denominator) = count(*)"
        value = (
            f"CASE WHEN {with_counts} THEN sum({weight} * o.numerator) "
            f"/ NULLIF(sum({weight} * o.denominator), 0) * :{p}mult "
            f"ELSE sum({weight} * l.people * o.value) / NULLIF(sum({weight} * l.people), 0) END"
        )
    # The values carried from are had once (MATERIALIZED): the planner, unable to
    # estimate how many there are, would otherwise look them up small area by small
    # area, reading every period of each to keep one.
    sql = f"""
        WITH o AS MATERIALIZED ({source_sql})
        SELECT t.id AS area_id, o.period, min(o.period_start) AS period_start,
               CASE WHEN {complete} THEN {value} END AS value,
               CASE WHEN {complete} AND count(o.numerator) = count(*)
                    THEN sum({weight} * o.numerator) END AS numerator,
               CASE WHEN {complete} AND count(o.denominator) = count(*)
                    THEN sum({weight} * o.denominator) END AS denominator,
               CAST(:{p}from AS text) AS derived_from, max(fit.fit) AS fit
        FROM area_overlay l
        JOIN area t ON t.id = l.target_id
        JOIN area_fit fit ON fit.area_id = t.id AND fit.source_type = :{p}source_type
        JOIN (SELECT l.target_id, count(*) AS n FROM area_overlay l
              JOIN area s ON s.id = l.source_id
              WHERE {links} AND s.type_code = :{p}source_type
              GROUP BY l.target_id) n ON n.target_id = t.id
        JOIN o ON o.area_id = l.source_id
        WHERE {" AND ".join(where)}
        GROUP BY t.id, o.period
    """
    return sql, params


def carry_note(indicator: Indicator, type_code: str, source_type: str) -> str:
    how = {
        Apportionment.POPULATION: "shared out by population (apportionment)",
        Apportionment.BEST_FIT: "each taken whole to its best-fit area",
        Apportionment.NONE: "not carried",
    }[indicator.carried_by]
    return (
        f"{indicator.code} at {type_code} is estimated from {source_type} values, {how}; "
        "fit says how much of each area's population whole small areas cover"
    )
