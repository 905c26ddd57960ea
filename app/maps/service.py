"""A choropleth of one indicator: values for one area type and period, classified and
coloured by polarity, with the legend, as GeoJSON for the page and for GIS users.

Built on the observations reader, so the map shows exactly what the API serves: the
public never sees partners-only indicators, and small counts are suppressed for them.
The page fetches geometries once per area type and then only values
(:func:`map_values`), so that changing indicator or period does not resend boundaries.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from app.access import policy
from app.access.audited import note_read
from app.access.viewer import Viewer
from app.areas import custom
from app.areas import feature_repository as features_repo
from app.areas import repository as area_repo
from app.areas.overlay import LOW_FIT, estimated_from
from app.errors import InvalidParameterError, UnknownAreaTypeError
from app.indicators.indicator import Indicator
from app.indicators.service import visible_indicator
from app.maps.classify import (
    NO_DATA_COLOUR,
    SUPPRESSED_COLOUR,
    Classification,
    ClassificationError,
    categories,
    check,
    classify,
)
from app.observations.query import ObservationQuery, available_periods, indicator_values
from app.snapshots import cached


@dataclass(frozen=True)
class MapRequest:
    indicator: str
    type_code: str | None = None
    period: str | None = None
    scheme: str = "quantiles"
    classes: int = 5
    simplify: int = 1
    precision: int = 6
    srid: int = 4326


@dataclass(frozen=True)
class MoreProperties:
    """Properties a page's features carry beside the map's: ``of(codes)`` gives them by
    area code for the page's areas (computed for those only); ``absent`` where it has
    none."""

    of: Callable[[list[str]], dict[str, dict[str, Any]]]
    absent: dict[str, Any]


@dataclass
class _Classified:
    type_code: str
    vintage: int
    legend: dict[str, Any]
    props: dict[str, dict[str, Any]]  # by area code, for areas with a value or suppressed
    missing: dict[str, Any]  # the properties of areas without


def indicator_map(session: Session, viewer: Viewer, req: MapRequest) -> str:
    """The map as a GeoJSON FeatureCollection (text) with a ``legend`` member."""
    c = _classified(session, viewer, req, None)
    features = features_repo.features_with_properties(
        session, c.type_code, c.vintage, req.simplify, req.precision, c.props, c.missing
    )
    return (
        '{"type":"FeatureCollection","marking":'
        + json.dumps(c.legend["marking"])
        + ',"legend":'
        + json.dumps(c.legend)
        + ',"features":['
        + ",".join(features)
        + "]}"
    )


def map_page(
    session: Session,
    viewer: Viewer,
    req: MapRequest,
    limit: int,
    offset: int,
    equals: dict[str, str] | None = None,
    more: MoreProperties | None = None,
    indicator: Indicator | None = None,
) -> tuple[dict[str, Any], list[str], int]:
    """A page of the map's Features (by area code, filtered by ``equals`` on code or
    name), its legend, and how many areas match; with ``more``'s properties too.
    ``indicator`` is the request's, when the caller has read it already."""
    c = _classified(session, viewer, req, indicator)
    props, missing = c.props, c.missing
    if more is not None:
        codes = features_repo.page_codes(session, c.type_code, c.vintage, limit, offset, equals)
        by_code = more.of(codes)
        props = {code: {**c.props.get(code, c.missing), **by_code.get(code, more.absent)}
                 for code in codes}  # fmt: skip
        missing = {**c.missing, **more.absent}
    features = features_repo.features_with_properties(
        session, c.type_code, c.vintage, req.simplify, req.precision, props, missing,
        limit, offset, req.srid, equals,
    )  # fmt: skip
    total = features_repo.count_of_type(session, c.type_code, c.vintage, equals or {})
    return c.legend, features, total


def map_values(
    session: Session, viewer: Viewer, req: MapRequest, indicator: Indicator | None = None
) -> dict[str, Any]:
    """The same map without geometries: the legend and each area's properties by code
    (areas absent from ``areas`` have ``legend.no_data``)."""
    c = _classified(session, viewer, req, indicator)
    return {"legend": c.legend, "areas": c.props}


def _classified(
    session: Session, viewer: Viewer, req: MapRequest, indicator: Indicator | None
) -> _Classified:
    """The map's classes, computed once per database state (every page and tile of an
    indicator layer shares them)."""
    if indicator is None:
        indicator = visible_indicator(session, viewer, req.indicator)
    # Before the cache: two partners of one audience may not see the same custom areas.
    custom.require_visible_type(session, viewer, req.type_code or indicator.area_types[0])
    key = policy.cache_key(
        viewer, "map", req.indicator, req.type_code, req.period, req.scheme, req.classes
    )
    found = cached(session, key, lambda: _classify(session, viewer, indicator, req))
    # Audited with the period the map shows (the newest when none was asked for).
    note_read(session, viewer, indicator, indicator.code, found.type_code, found.legend["period"])
    return found


def _classify(
    session: Session, viewer: Viewer, indicator: Indicator, req: MapRequest
) -> _Classified:
    type_code = (req.type_code or indicator.area_types[0]).strip().lower()
    vintage = area_repo.latest_vintage(session, type_code)
    if vintage is None:
        raise UnknownAreaTypeError(f"There are no areas of type {type_code!r}")
    periods = available_periods(session, viewer, indicator, type_code)
    if req.period is not None and periods and req.period not in periods:
        raise InvalidParameterError(
            f"{indicator.code} has no values for {req.period} at {type_code}; "
            f"it has {periods[0]} to {periods[-1]}"
        )
    period = req.period or (periods[-1] if periods else None)
    result = None
    if period is not None:
        result = indicator_values(
            session, viewer, indicator, ObservationQuery(indicator.code, type_code, period=period)
        )
    rows = [] if result is None else result.observations
    values = np.array([np.nan if r["value"] is None else r["value"] for r in rows], dtype=float)
    classes = _classes(indicator, req, values)
    props: dict[str, dict[str, Any]] = {}
    for row, value, cls in zip(rows, values, classes.classes.tolist(), strict=True):
        if row["suppressed"]:
            props[row["area_code"]] = {
                "value": None,
                "class": None,
                "status": "suppressed",
                "colour": SUPPRESSED_COLOUR,
                "period": period,
                "fit": None,
            }
        elif cls >= 0:
            props[row["area_code"]] = {
                "value": float(value),
                "class": cls,
                "status": "data",
                "colour": classes.colours[cls],
                "period": period,
            }
            props[row["area_code"]]["fit"] = row["fit"]
    total = features_repo.count_of_type(session, type_code, vintage, {})
    suppressed = sum(1 for p in props.values() if p["status"] == "suppressed")
    legend = {
        "indicator": indicator.summary(),
        "area_type": type_code,
        "period": period,
        "periods": periods,
        "city": _city_value(indicator, rows),
        "scheme": classes.scheme,
        "palette": classes.palette,
        "categorical": classes.scheme == "categories",
        "classes": _legend_classes(indicator, classes, values),
        "classification_note": classes.note,
        "suppressed": {"colour": SUPPRESSED_COLOUR, "count": suppressed,
                       "why": _why_suppressed(viewer, indicator)},
        "no_data": {"colour": NO_DATA_COLOUR, "count": total - sum(classes.counts) - suppressed,
                    "why": "no value for this area and period"},
        "notes": [] if result is None else result.notes,
        "marking": policy.marking(viewer, indicator),
        "estimated": estimated_text(rows),
    }  # fmt: skip
    missing = {"value": None, "class": None, "status": "no data", "colour": NO_DATA_COLOUR,
               "period": period, "fit": None}  # fmt: skip
    return _Classified(type_code, vintage, legend, props, missing)


def _classes(indicator: Indicator, req: MapRequest, values: np.ndarray) -> Classification:
    """Bands (deciles) one class each, whatever was asked; quantities by the scheme."""
    polarity = str(indicator.polarity)
    try:
        check(req.scheme, req.classes)  # refused alike for every indicator
        banded = None if indicator.bands is None else categories(values, indicator.bands, polarity)
        if banded is not None:
            return banded
        return classify(values, req.scheme, req.classes, polarity)
    except ClassificationError as exc:
        raise InvalidParameterError(str(exc)) from exc


def _legend_classes(
    indicator: Indicator, classes: Classification, values: np.ndarray
) -> list[dict[str, Any]]:
    """The legend's classes, each with its smallest value; a category's ``label`` names
    its band ("1 (most deprived)"), a range's is None (the reader writes it from
    ``least`` and ``upper``)."""
    banded = classes.scheme == "categories"
    return [
        {"class": i, "lower": lo, "upper": up, "colour": colour, "count": n, "least": least,
         "label": indicator.band_label(int(lo)) if banded else None}
        for i, (lo, up, colour, n, least) in enumerate(
            zip(classes.lower, classes.upper, classes.colours, classes.counts,
                classes.smallest(values), strict=True)
        )
    ]  # fmt: skip


def estimated_text(rows: list[dict[str, Any]]) -> str | None:
    """What the legend says of values estimated from smaller areas: "estimated from
    LSOAs, 94% fit (median; lowest 71%, 3 areas below 80%)"; None when none is."""
    estimated = [r for r in rows if r["fit"] is not None]
    if not estimated:
        return None
    fits = sorted(float(r["fit"]) for r in estimated)
    words = estimated_from(str(estimated[0]["derived_from"]))
    source = words.split(" from ")[1]
    median = fits[len(fits) // 2]
    low = sum(1 for f in fits if f < LOW_FIT)
    flagged = f", {low} areas below {LOW_FIT:.0%}" if low else ""
    return (
        f"{words}, {median:.0%} fit (median of {len(fits)} areas; lowest "
        f"{fits[0]:.0%}{flagged}): fit is the share of an area's population in whole {source}"
    )


def _why_suppressed(viewer: Viewer, indicator: Indicator) -> str:
    """Why areas are grey: the public is told that partners see them; partners (who see
    every value) are not told to sign in."""
    why = f"counts below {indicator.disclosure_threshold} are hidden in public outputs"
    return why if policy.sees_small_counts(viewer) else f"{why} (sign in as a partner to see them)"


def _city_value(indicator: Indicator, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The city's value for the period, to compare an area with: the pooled rate where
    values have numerators and denominators, the average per area for counts, else None."""
    if not rows or any(r["suppressed"] for r in rows):
        return None  # a public total would give the suppressed counts away by difference
    pairs = [(r["numerator"], r["denominator"]) for r in rows]
    if all(n is not None and d for n, d in pairs):
        pooled = sum(n for n, _ in pairs) / sum(d for _, d in pairs) * indicator.multiplier
        return {"value": pooled, "what": "the city as a whole"}
    values = [r["value"] for r in rows if r["value"] is not None]
    if values:
        mean = indicator.kind.typical == "mean"
        what = "the average area" if mean else "the median area"
        centre = np.mean(values) if mean else np.median(values)
        return {"value": float(centre), "what": what}
    return None
