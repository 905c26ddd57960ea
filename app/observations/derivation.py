"""How the values of an indicator at an area type are had: stored there, summed from a
finer type (counts, or numerators and denominators), or computed from the indicator's
numerator and denominator in the catalogue.

Stored and summed values combine area by area and period by period: a value stored for
an area and period comes first, and where none is stored the sum of the finer type's
values stands in (``derived_from`` names that type), so one month stored at MSOAs
(police.uk events are counted into every type) does not hide the other months' sums.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from app.areas import overlay
from app.areas import repository as area_repo
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Apportionment, Indicator
from app.observations import conversion
from app.observations import values as sql
from app.observations.carried import carried_values_sql, carry_note

ValuesSql = tuple[str, dict[str, Any]]


def values_sql(
    session: Session, indicator: Indicator, f: sql.ValueFilter, p: str, notes: list[str]
) -> ValuesSql | None:
    """The SQL giving ``indicator`` at ``f.type_code``, or None when it cannot be had
    (``notes`` say how, or why not)."""
    stored = sql.stored_types(session, indicator.code)
    carried_from = overlay.overlaid_types(session).get(f.type_code)
    if carried_from is not None:
        return _carried_values_sql(session, indicator, f, p, notes, stored, carried_from)
    sources: list[ValuesSql] = []
    if f.type_code in stored:
        # Boundary changes: stored values, then older vintages' converted into the newest.
        sources += conversion.stored_sources(session, indicator, f, p, notes)
    below = [t for t in area_repo.descendant_types(session, f.type_code) if t in stored]
    if below:
        counted = indicator.kind.counted
        if counted or sql.has_numerators(session, indicator.code):
            what = "counts" if counted else "numerators and denominators"
            notes.append(
                f"{indicator.code} at {f.type_code} is summed from {' or '.join(below)} {what}"
                if not sources
                else f"{indicator.code} at {f.type_code} is as stored where it is stored, and "
                f"otherwise summed from {' or '.join(below)} {what} (derived_from says which)"
            )
            # Nearest type first; a finer one fills the periods the nearer lacks.
            sources += [
                sql.aggregated_values_sql(
                    indicator.code, source, indicator.multiplier, counted, f, f"{p}a{n}_"
                )
                for n, source in enumerate(below)
            ]
        elif not sources:
            notes.append(
                f"{indicator.code} is stored for {below[0]} as a {indicator.value_type} "
                f"without counts, so it cannot be summed to {f.type_code}"
            )
            return None
    if sources:
        return sql.first_of(sources)
    if indicator.numerator is not None and indicator.denominator is not None:
        parts = indicator_repo.indicators_by_code(
            session, [indicator.numerator, indicator.denominator]
        )
        num = values_sql(session, parts[indicator.numerator], f, p + "n_", notes)
        # The denominator may come from an earlier period (last year's population).
        den_filter = replace(f, start_from=None)
        den = values_sql(session, parts[indicator.denominator], den_filter, p + "d_", notes)
        if num is None or den is None:
            return None
        notes.append(
            f"{indicator.code} = {indicator.numerator} / {indicator.denominator} "
            f"x {indicator.multiplier}"
        )
        return sql.rate_values_sql(num, den, indicator.multiplier, p)
    notes.append(f"No values of {indicator.code} are stored for {f.type_code} or below it")
    return None


def _carried_values_sql(
    session: Session,
    indicator: Indicator,
    f: sql.ValueFilter,
    p: str,
    notes: list[str],
    stored: list[str],
    source_types: list[str],
) -> ValuesSql | None:
    """At a type the finest areas do not nest in: values stored there where they are
    exact and safe to publish (counted into its own polygons, with no small-number
    threshold to keep), and otherwise values carried from the finest type that has them."""
    sources: list[ValuesSql] = []
    if f.type_code in stored and not indicator.disclosure_threshold:
        sources.append(sql.stored_values_sql(indicator.code, f, p))
    if indicator.carried_by is Apportionment.NONE:
        if not sources:
            notes.append(
                f"{indicator.code} is not carried to {f.type_code}: a "
                f"{indicator.unit} does not add up across areas"
            )
        return sql.first_of(sources) if sources else None
    for source_type in source_types:
        leaf_filter = replace(f, type_code=source_type, area_code=None)
        leaf = values_sql(session, indicator, leaf_filter, p + "c_", [])
        if leaf is not None:
            notes.append(carry_note(indicator, f.type_code, source_type))
            sources.append(carried_values_sql(indicator, source_type, leaf, f, p + "k_"))
            break
    if not sources:
        notes.append(f"No values of {indicator.code} are stored to carry to {f.type_code}")
    return sql.first_of(sources) if sources else None
