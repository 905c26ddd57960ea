"""How the values of an indicator at an area type are had: stored there, summed from a
finer type (counts, or numerators and denominators), or computed from the indicator's
numerator and denominator in the catalogue."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from app.areas import repository as area_repo
from app.indicators import repository as indicator_repo
from app.indicators.indicator import Indicator
from app.observations import values as sql

ValuesSql = tuple[str, dict[str, Any]]


def values_sql(
    session: Session, indicator: Indicator, f: sql.ValueFilter, p: str, notes: list[str]
) -> ValuesSql | None:
    """The SQL giving ``indicator`` at ``f.type_code``, or None when it cannot be had
    (``notes`` say how, or why not)."""
    stored = sql.stored_types(session, indicator.code)
    if f.type_code in stored:
        return sql.stored_values_sql(indicator.code, f, p)
    below = [t for t in area_repo.descendant_types(session, f.type_code) if t in stored]
    if below:
        counted = indicator.kind.counted
        if counted or sql.has_numerators(session, indicator.code):
            notes.append(
                f"{indicator.code} at {f.type_code} is summed from {below[0]} "
                + ("counts" if counted else "numerators and denominators")
            )
            return sql.aggregated_values_sql(
                indicator.code, below[0], indicator.multiplier, counted, f, p
            )
        notes.append(
            f"{indicator.code} is stored for {below[0]} as a {indicator.value_type} without "
            f"counts, so it cannot be summed to {f.type_code}"
        )
        return None
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
