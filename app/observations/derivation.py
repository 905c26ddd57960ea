"""How the values of an indicator at an area type are had: stored there, summed from a
finer type (counts, or numerators and denominators), or computed from the indicator's
numerator and denominator in the catalogue.

Stored and summed values combine area by area and period by period: a value stored for
an area and period comes first, and where none is stored the sum of the finer type's
values stands in (``derived_from`` names that type), so one month stored at MSOAs
(police.uk events are counted into every type) does not hide the other months' sums.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from app.areas import overlay
from app.areas import repository as area_repo
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Apportionment, Indicator
from app.observations import conversion
from app.observations import values as sql
from app.observations.carried import carried_values_sql, carry_note
from app.snapshots import cached

ValuesSql = tuple[str, dict[str, Any]]


def values_sql(
    session: Session, indicator: Indicator, f: sql.ValueFilter, p: str, notes: list[str]
) -> ValuesSql | None:
    """The SQL giving ``indicator`` at ``f.type_code``, or None when it cannot be had
    (``notes`` say how, or why not)."""
    return _values_sql(session, indicator, f, p, notes, periods_only=False)


def periods_sql(session: Session, indicator: Indicator, f: sql.ValueFilter) -> ValuesSql | None:
    """A query with every period of :func:`values_sql`'s, for listing them.

    At a type values are carried to, it reads the values they are carried from instead
    of carrying every period: a period in which no area has all its small areas' values
    is listed too (and maps as no data), which is rare, where carrying every period of
    every area only to list their labels made a ward map slower than an LSOA map."""
    return _values_sql(session, indicator, f, "l_", [], periods_only=True)


def _values_sql(
    session: Session,
    indicator: Indicator,
    f: sql.ValueFilter,
    p: str,
    notes: list[str],
    periods_only: bool,
) -> ValuesSql | None:
    stored, counted = _held(session, indicator.code)
    carried_from = overlay.overlaid_types(session).get(f.type_code)
    if carried_from is not None:
        carry = _carried_sources(session, indicator, f, p, notes, stored, counted, carried_from)
        chosen = list(carry.own)
        if carry.leaf is not None:
            source_type, leaf = carry.leaf
            chosen.append(
                leaf
                if periods_only
                else carried_values_sql(indicator, source_type, leaf, f, p + "k_")
            )
        if not chosen:
            return None
        return sql.union_all(chosen) if periods_only else sql.first_of(chosen)
    sources: list[ValuesSql] = []
    if f.type_code in stored:
        # Boundary changes: stored values, then older vintages' converted into the newest.
        sources += conversion.stored_sources(
            session, indicator, f, p, notes, f.type_code in counted
        )
    below = [t for t in area_repo.descendant_types(session, f.type_code) if t in stored]
    if below:
        if indicator.kind.counted or sql.has_numerators(session, indicator.code):
            what = "counts" if indicator.kind.counted else "numerators and denominators"
            notes.append(
                f"{indicator.code} at {f.type_code} is summed from {' or '.join(below)} {what}"
                if not sources
                else f"{indicator.code} at {f.type_code} is as stored where it is stored, and "
                f"otherwise summed from {' or '.join(below)} {what} (derived_from says which)"
            )
            # Nearest type first; a finer one fills the periods the nearer lacks.
            sources += [
                sql.aggregated_values_sql(
                    indicator.code,
                    source,
                    indicator.multiplier,
                    indicator.kind.counted,
                    f,
                    f"{p}a{n}_",
                    source in counted,
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


def _held(session: Session, code: str) -> tuple[list[str], frozenset[str]]:
    """The types holding stored values of an indicator, and those it was counted at
    (asked once per database state: a carried read and its source's both need them)."""
    return cached(
        session,
        ("held", code),
        lambda: (sql.stored_types(session, code), sql.counted_types(session, code)),
    )


@dataclass(frozen=True)
class _CarrySources:
    own: list[ValuesSql]  # stored at the type itself
    leaf: tuple[str, ValuesSql] | None = None  # (the finer type, its values) to carry from


def _carried_sources(
    session: Session,
    indicator: Indicator,
    f: sql.ValueFilter,
    p: str,
    notes: list[str],
    stored: list[str],
    counted: frozenset[str],
    source_types: list[str],
) -> _CarrySources:
    """At a type the finest areas do not nest in: values stored there where they are
    exact and safe to publish (counted into its own polygons, with no small-number
    threshold to keep), and otherwise values carried from the finest type that has them."""
    own: list[ValuesSql] = []
    if f.type_code in stored and not indicator.disclosure_threshold:
        own.append(sql.stored_values_sql(indicator.code, f, p, f.type_code in counted))
    if indicator.carried_by is Apportionment.NONE:
        if not own:
            notes.append(
                f"{indicator.code} is not carried to {f.type_code}: a "
                f"{indicator.unit} does not add up across areas"
            )
        return _CarrySources(own)
    for source_type in source_types:
        leaf_filter = replace(f, type_code=source_type, area_code=None)
        leaf = values_sql(session, indicator, leaf_filter, p + "c_", [])
        if leaf is not None:
            notes.append(carry_note(indicator, f.type_code, source_type))
            return _CarrySources(own, (source_type, leaf))
    if not own:
        notes.append(f"No values of {indicator.code} are stored to carry to {f.type_code}")
    return _CarrySources(own)
