"""The neighbourhood report: what :func:`app.analysis.profile.area_profile` says of an
area (its indicators, comparisons, trends and alerts), a map of it among its neighbours,
trend charts, and the footer every output carries (:mod:`app.reports.marks`).

Everything comes from reads that already apply the access policy: the profile (a
suppressed value is a gap, partners-only indicators absent for the public) and the map
values (:func:`app.maps.service.map_values`), so the report shows the viewer nothing they
could not read through the API.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from sqlalchemy.orm import Session

from app.access.viewer import Viewer
from app.analysis.profile import area_profile
from app.area_report import repository as repo
from app.area_report.charts import trend_charts
from app.area_report.mapsvg import map_svg
from app.area_report.rows import figure, groups
from app.areas.service import newest_area
from app.errors import InvalidParameterError, UnknownAreaTypeError
from app.indicators import repository as indicator_repo
from app.indicators.service import visible_indicator
from app.maps.service import MapRequest, map_values
from app.reports import marks

TREND_CHARTS = 4


def area_report(
    session: Session, viewer: Viewer, code: str, indicator: str | None = None
) -> dict[str, Any]:
    """The report's content: ``area``, ``groups`` (the profile by partner and topic),
    ``alerts``, ``map`` (SVG and legend, coloured by ``indicator``, by default the
    first alert's or the first with a value), ``charts`` and ``footer``."""
    if indicator is not None:  # before the profile's work: 404 for one the viewer may not see
        visible_indicator(session, viewer, indicator)
    profile = area_profile(session, viewer, code)
    area = newest_area(session, viewer, code)
    entries = profile["indicators"]
    shown = [e["indicator"]["code"] for e in entries]
    catalogue = indicator_repo.indicators_by_code(session, shown)
    chosen = _map_indicator(session, viewer, profile, indicator)
    if chosen is not None and chosen not in catalogue:
        found = indicator_repo.indicator(session, chosen)
        if found is not None:
            catalogue[chosen] = found
    alerted = [c for alert in profile["alerts"] for c in alert["indicators"]]
    footer = marks.footer(
        session,
        catalogue.values(),
        marks.marking_for(viewer, catalogue.values()),
        int(area.vintage),
    )
    return {
        "area": profile["area"],
        "benchmark": profile["benchmark"],
        "similar": profile.get("similar"),
        "groups": groups(entries, repo.agency_titles(session)),
        "alerts": profile["alerts"],
        "map": _map(session, viewer, area, chosen),
        "charts": trend_charts(entries, alerted, TREND_CHARTS),
        "footer": footer,
    }


def _map_indicator(
    session: Session, viewer: Viewer, profile: dict[str, Any], asked: str | None
) -> str | None:
    if asked is not None:
        return visible_indicator(session, viewer, asked).code  # 404 for one not seen
    with_values = [e["indicator"]["code"] for e in profile["indicators"] if e["value"] is not None]
    for alert in profile["alerts"]:
        # The indicator the page's map shows for the alert first, then its others.
        mapped = (alert.get("map") or {}).get("indicator")
        for code in [mapped, *alert["indicators"]]:
            if code in with_values:
                return str(code)
    return with_values[0] if with_values else None


def _map(session: Session, viewer: Viewer, area: Any, indicator: str | None) -> dict[str, Any]:
    """The map's SVG and legend; with no indicator to colour by, the shapes alone."""
    frame, shapes = repo.shapes_around(session, int(area.id), str(area.type_code),
                                       int(area.vintage))  # fmt: skip
    values: dict[str, Any] = {"areas": {}, "legend": None}
    if indicator is not None:
        # A type the indicator is not mapped at: the shapes, uncoloured.
        with suppress(InvalidParameterError, UnknownAreaTypeError):
            values = map_values(session, viewer, MapRequest(indicator, str(area.type_code)))
    legend = values["legend"]
    missing = legend["no_data"]["colour"] if legend else "#f0f0f0"
    title = f"{area.name} ({area.code}) among the areas around it"
    if legend:
        title = f"{legend['indicator']['title']}, {legend['period']}: {title}"
    return {
        "svg": map_svg(frame, shapes, values["areas"], missing, title),
        "title": title,
        "legend": _legend(legend, {s.code for s in shapes}, values["areas"]),
    }


def _legend(legend: dict[str, Any] | None, codes: set[str], areas: dict[str, Any]) -> Any:
    if not legend:
        return None
    unit = str(legend["indicator"]["unit"] or "")
    classes = [
        {"colour": c["colour"], "label": f"{figure(c['lower'])} – {figure(c['upper'])}"}
        for c in legend["classes"]
    ]
    suppressed = sum(1 for c in codes if (areas.get(c) or {}).get("status") == "suppressed")
    extra = (
        [{"colour": legend["suppressed"]["colour"], "label": "suppressed"}] if suppressed else []
    )
    return {
        "title": legend["indicator"]["title"],
        "unit": unit,
        "period": legend["period"],
        "scheme": str(legend["scheme"]).replace("_", " "),
        "classes": classes + extra,
        "no_data": legend["no_data"]["colour"],
    }
