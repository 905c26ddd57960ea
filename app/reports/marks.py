"""The marks every report and map export carries, so that a page printed for a meeting
or a PNG pasted into a paper still says what it is: the sources of its indicators, when
the data were last changed, the copyright and licence lines, the marking of the viewer's
view ("Public", or "Partners only — not for publication"), and DEMO on the demo."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.access import policy
from app.access.viewer import Viewer
from app.indicators.indicator import Indicator

PUBLIC = "Public"
DEMO = "DEMO: generated data, not real values"
OGL = "Open Government Licence v3.0"
OGL_LINE = f"Contains public sector information licensed under the {OGL}."


@dataclass(frozen=True)
class Footer:
    """What an output's footer says; every field is text (escape it where it is HTML)."""

    sources: tuple[str, ...]
    data_changed: str  # "2026-12-06" or "not recorded"
    copyright: tuple[str, ...]
    marking: str  # "Public" or the policy's MARKING
    demo: bool
    generated: str  # "2026-12-06 20:58 UTC"

    @property
    def restricted(self) -> bool:
        return self.marking != PUBLIC

    def lines(self) -> list[str]:
        """The footer as lines of plain text (a PNG's, a standalone page's)."""
        out = [self.marking + (f" · {DEMO}" if self.demo else "")]
        if self.sources:
            out.append("Source: " + "; ".join(self.sources) + ".")
        out.append(f"Data last changed {self.data_changed}; made {self.generated}.")
        out += list(self.copyright)
        return out


def is_demo(session: Session) -> bool:
    """Whether the data include the demo's generated values (outputs are marked DEMO): the
    one test the page's banner and the exports use too."""
    from app.demo_indicators.marking import shows_demo_data

    return shows_demo_data(session)


def data_changed_at(session: Session) -> datetime | None:
    """When data (values, areas, the catalogue) last changed: the newest transaction the
    change trigger recorded (:class:`app.snapshots.DataChange`)."""
    found = session.execute(text("SELECT max(at) FROM data_change")).scalar_one()
    return found if isinstance(found, datetime) else None


def marking_for(viewer: Viewer, indicators: Iterable[Indicator]) -> str:
    """The policy's marking when any of ``indicators`` is a restricted read for the
    viewer (what they see holds what the public's does not), else "Public"."""
    marked = [m for i in indicators if (m := policy.marking(viewer, i)) is not None]
    return marked[0] if marked else PUBLIC


def copyright_lines(indicators: Iterable[Indicator], boundary_year: int | None) -> tuple[str, ...]:
    """The licence lines of the indicators (from the catalogue: one for the Open
    Government Licence, one per other licence) and of the boundaries."""
    lines: list[str] = []
    others: list[str] = []
    for indicator in indicators:
        licence = (indicator.licence or "").strip().rstrip(".")
        if not licence:
            continue
        if licence.lower().startswith("open government licence"):
            if OGL_LINE not in lines:
                lines.insert(0, OGL_LINE)
        elif licence not in others:
            others.append(licence)
    lines += [f"{licence}." for licence in others]
    year = "" if boundary_year is None else f" {boundary_year}"
    lines.append(
        f"Boundaries: contains National Statistics data © Crown copyright and database "
        f"right{year}; contains OS data © Crown copyright and database right{year}."
    )
    return tuple(lines)


def footer(
    session: Session,
    indicators: Iterable[Indicator],
    marking: str,
    boundary_year: int | None,
    now: datetime | None = None,
) -> Footer:
    """The footer of an output showing ``indicators`` on boundaries of ``boundary_year``."""
    shown = list(indicators)
    changed = data_changed_at(session)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return Footer(
        sources=tuple(dict.fromkeys(i.source.strip() for i in shown if i.source.strip())),
        data_changed=_day(changed) if changed else "not recorded",
        copyright=copyright_lines(shown, boundary_year),
        marking=marking,
        demo=is_demo(session),
        generated=moment.strftime("%Y-%m-%d %H:%M UTC"),
    )


def _day(moment: datetime | date) -> str:
    return moment.strftime("%Y-%m-%d")


def map_footer(session: Session, legend: dict[str, Any]) -> Footer:
    """The footer of a map's export (PNG, standalone HTML): its indicator's source and
    licence, the boundaries' year, and its marking (the legend's: "Partners only — not
    for publication" for a restricted read, else "Public")."""
    from app.areas.repository import latest_vintage
    from app.indicators.repository import indicator as find_indicator

    found = find_indicator(session, str(legend["indicator"]["code"]))
    shown = [] if found is None else [found]
    return footer(
        session,
        shown,
        str(legend.get("marking") or PUBLIC),
        latest_vintage(session, str(legend["area_type"])),
    )
