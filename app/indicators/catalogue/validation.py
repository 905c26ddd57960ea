"""Checking records: each one's fields and rules, then the catalogue as a whole."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace

from app.access.policy import Visibility
from app.indicators.catalogue.fields import (
    _area_types,
    _ceiling,
    _code,
    _enum,
    _FieldError,
    _is_blank,
    _non_negative_int,
    _positive_int,
    _text,
    _text_list,
    _year,
)
from app.indicators.catalogue.problems import Problem
from app.indicators.catalogue.sources import _Record
from app.indicators.indicator import (
    FIELDS,
    LIST_FIELDS,
    OPTIONAL_FIELDS,
    Apportionment,
    Indicator,
    Polarity,
)
from app.indicators.periods import PeriodType
from app.indicators.value_types import ValueType


def _parse_record(
    row: int,
    record: _Record,
    problems: list[Problem],
    reported_missing: frozenset[str],
    known_area_types: Collection[str] | None,
) -> Indicator | None:
    """The record as a spec (None when a field cannot be read); problems go to ``problems``."""
    parsers: dict[str, Callable[[object], object]] = {
        "code": _code,
        "agency": _code,
        "value_type": lambda raw: _enum(raw, ValueType),
        "multiplier": _positive_int,
        "polarity": lambda raw: _enum(raw, Polarity),
        "period_type": lambda raw: _enum(raw, PeriodType),
        "area_types": lambda raw: _area_types(raw, known_area_types),
        "disclosure_threshold": _non_negative_int,
        "visibility": lambda raw: _enum(raw, Visibility),
        "numerator": _code,
        "denominator": _code,
        "event_categories": _text_list,
        "synonyms": _text_list,
        "earliest_year": _year,
        "latest_year": _year,
        "max_value": _ceiling,
        "apportionment": lambda raw: _enum(raw, Apportionment),
    }
    values: dict[str, object] = {}
    found: list[Problem] = []
    for name in FIELDS:
        raw = record.get(name)
        if not _is_blank(raw):
            try:
                values[name] = parsers.get(name, _text)(raw)
            except _FieldError as exc:
                found.append((row, name, str(exc)))
        elif name in OPTIONAL_FIELDS:
            values[name] = () if name in LIST_FIELDS else None
        elif name not in reported_missing:
            found.append((row, name, "required"))
    if found or reported_missing:
        problems.extend(found)
        return None
    spec = Indicator(**values)  # type: ignore[arg-type]  # each field parsed to its type
    # Returned even when it breaks a rule, so that its references are checked too.
    problems.extend((row, name, reason) for name, reason in _rule_problems(spec))
    return spec


def _rule_problems(spec: Indicator) -> list[tuple[str, str]]:
    """Rules that tie one indicator's fields together."""
    problems: list[tuple[str, str]] = []
    kind = spec.kind
    if kind.multiplier is not None and spec.multiplier != kind.multiplier:
        problems.append(("multiplier", f"a {spec.value_type}'s multiplier is {kind.multiplier}"))
    if kind.needs_denominator and spec.denominator is None:
        problems.append(
            ("denominator", f"a {spec.value_type} needs a denominator, e.g. population")
        )
    if spec.numerator is not None and spec.denominator is None:
        problems.append(("denominator", "a numerator needs a denominator"))
    for name in ("numerator", "denominator"):
        if getattr(spec, name) == spec.code:
            problems.append((name, "an indicator cannot refer to itself"))
    if spec.numerator is not None and spec.numerator == spec.denominator:
        problems.append(("denominator", "the numerator and the denominator are the same"))
    if (
        spec.earliest_year is not None
        and spec.latest_year is not None
        and spec.earliest_year > spec.latest_year
    ):
        problems.append(("latest_year", "the latest year comes before the earliest"))
    if spec.max_value is not None and kind.maximum is not None and spec.max_value > kind.maximum:
        problems.append(("max_value", f"a {spec.value_type} is never above {kind.maximum:g}"))
    if spec.event_categories and not kind.counted:
        problems.append(
            (
                "event_categories",
                f"only count indicators count events into them; this is a {spec.value_type}",
            )
        )
    return problems


# --- the catalogue as a whole ----------------------------------------------------------


def _cross_check(
    parsed: Sequence[tuple[int, Indicator]], named: Collection[str], known: Collection[str]
) -> list[Problem]:
    """Unique codes, and numerators and denominators that refer to counts that exist.

    ``named`` holds every code written in the file, valid rows or not: a reference to a
    row that has problems of its own is not reported again as dangling.
    """
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    by_code: dict[str, Indicator] = {}
    for row, spec in parsed:
        if spec.code in first_row:
            problems.append(
                (
                    row,
                    "code",
                    f"duplicate code {spec.code!r}: row {first_row[spec.code]} has it too",
                )
            )
        else:
            first_row[spec.code] = row
            by_code[spec.code] = spec
    for row, spec in parsed:
        for name in ("numerator", "denominator"):
            target = getattr(spec, name)
            if target is None:
                continue
            if target in by_code:
                if not by_code[target].kind.counted:
                    reason = f"{target!r} is a {by_code[target].value_type}; it must be a count"
                    problems.append((row, name, reason))
            elif target not in known and target not in named:
                reason = f"no indicator {target!r} in this catalogue or already known"
                problems.append((row, name, reason))
    return problems


def inherit_protection(
    parsed: Sequence[tuple[int, Indicator]], known: Mapping[str, Indicator]
) -> tuple[list[tuple[int, Indicator]], list[Problem]]:
    """A value computed from counts is never more visible than they are, and hides at
    least what they hide.

    An indicator more widely visible than its numerator or denominator (public over
    partners-only, partners-only over agency-only, or agency-only over another agency's)
    is refused; one
    that gives no disclosure threshold takes the highest of its inputs'; one that gives
    a lower threshold than an input's is refused.
    """
    by_code = {**known, **{spec.code: spec for _, spec in parsed}}
    problems: list[Problem] = []
    out: list[tuple[int, Indicator]] = []
    for row, spec in parsed:
        inputs = [
            (name, by_code[code])
            for name in ("numerator", "denominator")
            if (code := getattr(spec, name)) is not None and code in by_code
        ]
        for name, part in inputs:
            wider = spec.visibility.rank < part.visibility.rank
            other_agency = (
                part.visibility is Visibility.AGENCY
                and spec.visibility is Visibility.AGENCY
                and part.agency != spec.agency
            )
            if wider or other_agency:
                whose = f" of {part.agency}" if part.visibility is Visibility.AGENCY else ""
                reason = (
                    f"is {spec.visibility}, but its {name} {part.code!r} is "
                    f"{part.visibility}{whose}: a value computed from it would give it away; "
                    f"make this {part.visibility}{whose} too, or widen {part.code!r}"
                )
                problems.append((row, "visibility", reason))
        highest = max((p.disclosure_threshold or 0 for _, p in inputs), default=0)
        own = spec.disclosure_threshold
        if highest and own is None:
            spec = replace(spec, disclosure_threshold=highest)
        elif highest and own is not None and own < highest:
            source = next(p.code for _, p in inputs if (p.disclosure_threshold or 0) == highest)
            reason = (
                f"is {own}, but {source!r}, which it is computed from, hides counts "
                f"below {highest}: give {highest} or more, or leave it blank to take it"
            )
            problems.append((row, "disclosure_threshold", reason))
        out.append((row, spec))
    return out, problems
