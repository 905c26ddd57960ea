"""Reading a catalogue: any file or parsed JSON, and the catalogue that ships with NIS."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from app.indicators.catalogue.problems import CatalogueError
from app.indicators.catalogue.sources import _records
from app.indicators.catalogue.validation import _cross_check, _parse_record, inherit_protection
from app.indicators.indicator import Indicator

DEFAULT_CATALOGUE = "default_catalogue.csv"
# The package the default catalogue is data of (see package-data in pyproject.toml).
_DEFAULT_CATALOGUE_PACKAGE = "app.indicators"


def read_catalogue(
    data: bytes | str | Path | Sequence[Mapping[str, object]],
    content_type: str | None = None,
    *,
    known_codes: Collection[str] = (),
    known_area_types: Collection[str] | None = None,
    known_indicators: Collection[Indicator] = (),
) -> list[Indicator]:
    """Read and validate a catalogue, reporting every problem at once.

    Parameters
    ----------
    data : bytes, str, Path or sequence of mappings
        The file's bytes or text, its path, or JSON already parsed into a list of objects.
        Bytes are read as UTF-8 (a byte order mark is fine), else as Windows-1252.
    content_type : str, optional
        ``text/csv`` or ``application/json`` (parameters such as ``charset`` are ignored).
        When absent, unhelpful (``text/plain``) or ``application/octet-stream``, a path's
        suffix decides, else the text itself: JSON starts with ``[`` or ``{``.
    known_codes : collection of str, optional
        Indicators that exist already, which numerators and denominators may refer to
        besides the codes of this catalogue.
    known_area_types : collection of str, optional
        When given, every area type must be one of these.
    known_indicators : collection of Indicator, optional
        Indicators that exist already, in full: a value computed from one of them is
        checked against its visibility and disclosure threshold (and may refer to it).

    Returns
    -------
    list of Indicator
        The indicators in file order.

    Raises
    ------
    CatalogueError
        With every problem found: missing or unknown fields, bad values (enumerations
        list their allowed values), duplicate codes, dangling references, and rules that
        tie fields together (a rate needs a denominator; event categories belong to
        counts; a percentage's multiplier is 100). A value computed from counts is never
        more visible than they are: a public one over a partners-only count is refused,
        and one with a lower threshold than its inputs' too; with none it takes theirs
        (:func:`.validation.inherit_protection`).
    """
    source = _records(data, content_type)
    problems = list(source.problems)
    parsed: list[tuple[int, Indicator]] = []
    for row, record in source.records:
        spec = _parse_record(row, record, problems, source.reported_missing, known_area_types)
        if spec is not None:
            parsed.append((row, spec))
    if not source.records and not problems:
        problems.append((0, None, "the catalogue has no indicators"))
    named = {str(r.get("code", "")).strip() for _, r in source.records}
    known = {i.code: i for i in known_indicators}
    problems.extend(_cross_check(parsed, named, set(known_codes) | set(known)))
    parsed, inherited = inherit_protection(parsed, known)
    problems.extend(inherited)
    if problems:
        raise CatalogueError(problems)
    return [spec for _, spec in parsed]


def default_catalogue() -> list[Indicator]:
    """The catalogue that ships with NIS (``default_catalogue.csv`` in ``app.indicators``).

    Returns
    -------
    list of Indicator
        Indicators of the police, fire service, transport executive, health and schools,
        and the council's deprivation and population figures.
    """
    return list(_default_catalogue())


@cache
def _default_catalogue() -> tuple[Indicator, ...]:
    resource = resources.files(_DEFAULT_CATALOGUE_PACKAGE).joinpath(DEFAULT_CATALOGUE)
    text = resource.read_text(encoding="utf-8")
    return tuple(read_catalogue(text, "text/csv"))
