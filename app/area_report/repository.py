"""The shapes the report's map draws: an area and the areas of its type around it, as
SVG path data in British National Grid (metres, y flipped by ST_AsSVG), drawn by
PostGIS."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

# How far around the area the map reaches, as a share of the area's larger side.
REACH = 0.6
DISPLAY_LEVEL = 1  # the display geometry an export draws (detailed enough for print)

_SHAPES = text(
    """
    WITH target AS (
        SELECT ST_Transform(geom, 27700) AS g FROM area WHERE id = :id
    ), frame AS (
        SELECT ST_Expand(g, greatest(ST_XMax(g) - ST_XMin(g), ST_YMax(g) - ST_YMin(g), 200)
                         * :reach) AS box FROM target
    )
    SELECT a.code, a.name, a.id = :id AS chosen,
           ST_AsSVG(ST_Transform(coalesce(d.geom, a.geom), 27700), 0, 0) AS path
    FROM area a
    LEFT JOIN area_display d ON d.area_id = a.id AND d.level = :level
    CROSS JOIN frame
    WHERE a.type_code = :type AND a.vintage = :vintage
      AND ST_Intersects(a.geom, ST_Transform(frame.box, 4326))
    ORDER BY a.id = :id, a.code
    """
)
_FRAME = text(
    """
    WITH target AS (SELECT ST_Transform(geom, 27700) AS g FROM area WHERE id = :id)
    SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (
        SELECT ST_Expand(g, greatest(ST_XMax(g) - ST_XMin(g), ST_YMax(g) - ST_YMin(g), 200)
                         * :reach) AS b FROM target) s
    """
)


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    chosen: bool
    path: str  # SVG path data, metres east and (negated) north


@dataclass(frozen=True)
class Frame:
    """The map's extent in metres (British National Grid)."""

    x_min: float
    y_min: float
    x_max: float
    y_max: float


def shapes_around(
    session: Session, area_id: int, type_code: str, vintage: int
) -> tuple[Frame, list[Shape]]:
    """The area (last, so that its outline is drawn on top) and the areas of its type
    and vintage within the frame around it."""
    params = {"id": area_id, "type": type_code, "vintage": vintage, "reach": REACH,
              "level": DISPLAY_LEVEL}  # fmt: skip
    x0, y0, x1, y1 = session.execute(_FRAME, params).one()
    rows = session.execute(_SHAPES, params).all()
    shapes = [Shape(str(r.code), str(r.name), bool(r.chosen), str(r.path)) for r in rows if r.path]
    return Frame(float(x0), float(y0), float(x1), float(y1)), shapes


def agency_titles(session: Session) -> dict[str, str]:
    """Each agency's title by code (the partner a profile group is headed with)."""
    rows = session.execute(text("SELECT name, coalesce(title, name) AS title FROM agency")).all()
    return {str(r.name): str(r.title) for r in rows}
