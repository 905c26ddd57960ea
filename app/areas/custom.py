"""Custom areas: an officer's own patch, made of small areas (LSOAs) or drawn as a polygon.

Each patch is the one area of an area type of its own (type and area code
``custom-<8 hex digits>``, never the officer's text), so that every path that serves an
area type (the map, profiles, OGC collections, downloads, tiles) serves it unchanged. It
is overlaid on the finest type like a ward (:mod:`app.areas.overlay`), so its values are
carried from the LSOAs with their fit, and :mod:`app.observations.disclosure` protects
them as made of published small areas only.

Who sees a patch is the policy's (:func:`app.access.policy.may_see_custom_area`): its
owner and administrators, and for a ``partnership`` patch every partner; never the
public. Every read path that takes an area type or an area code asks
:func:`require_visible_type`, and every list of types leaves out :func:`hidden_types`,
so that a patch a viewer may not see does not exist for them.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

import shapely
from sqlalchemy import Row
from sqlalchemy.orm import Session

from app.access import policy
from app.access.policy import Sharing
from app.access.viewer import Viewer
from app.areas import custom_repository as repo
from app.areas import overlay
from app.areas import repository as area_repo
from app.areas.importer import write_display_geometries
from app.errors import CustomAreaRejectedError, NotFoundError, UnknownAreaTypeError
from app.progress import SILENT
from app.snapshots import cached
from geodata.errors import GeodataError
from geodata.patch import read_patch

PREFIX = "custom-"
MAX_NAME_CHARS = 100
MAX_SMALL_AREAS = 5000
# A patch is a neighbourhood's worth: at most this share of the city, and mostly on it.
MAX_CITY_SHARE = 0.5
MIN_COVERED = 0.5
LISTED = 10


@dataclass(frozen=True)
class CustomAreaRequest:
    """What an officer asks for: a name, who may see it, and either the codes of small
    areas (the finest type's) or a GeoJSON polygon."""

    name: str
    sharing: Sharing
    small_areas: list[str] | None = None
    geometry: dict[str, Any] | None = None


# --- who sees which patch --------------------------------------------------------------


def custom_types(session: Session) -> dict[str, tuple[int, str]]:
    """Every custom area's type: (owner id, sharing)."""
    return cached(session, ("custom-types",), lambda: repo.custom_types(session))


def is_custom_type(session: Session, type_code: str) -> bool:
    return type_code in custom_types(session)


def hidden_types(session: Session, viewer: Viewer) -> frozenset[str]:
    """The custom areas' types ``viewer`` may not see: to them they do not exist."""
    return frozenset(
        t
        for t, (owner, sharing) in custom_types(session).items()
        if not policy.may_see_custom_area(viewer, owner, Sharing(sharing))
    )


def require_visible_type(session: Session, viewer: Viewer, type_code: str) -> None:
    """Refuse a custom area's type the viewer may not see as if it were unknown."""
    if type_code.strip().lower() in hidden_types(session, viewer):
        raise UnknownAreaTypeError(f"Unknown area type {type_code!r}")


# --- making, reading and deleting ------------------------------------------------------


def create(session: Session, viewer: Viewer, req: CustomAreaRequest) -> dict[str, Any]:
    """Make the patch (only flushes: the request commits)."""
    owner_id = policy.require_custom_area_author(viewer)
    name = _checked_name(req.name)
    finest = overlay.finest_type(session)
    if finest is None:
        raise CustomAreaRejectedError("There are no small areas to make a custom area of yet")
    if (req.small_areas is None) == (req.geometry is None):
        raise CustomAreaRejectedError("Give either lsoas (a list of codes) or a geometry")
    if req.small_areas is not None:
        wkb, made_from = _of_small_areas(session, finest, req.small_areas), "areas"
        source = f"custom area: {len(set(req.small_areas))} {finest[0]} areas"
    else:
        assert req.geometry is not None
        wkb, made_from = _of_polygon(session, finest, req.geometry), "polygon"
        source = "custom area: drawn"
    code = PREFIX + secrets.token_hex(4)
    area_repo.upsert_area_type(session, code, f"Custom area: {name}", None)
    area_repo.upsert_areas(session, code, finest[1], source, [(code, name, None, wkb)])
    write_display_geometries(session, code, finest[1], SILENT)
    repo.insert_custom_area(
        session, type_code=code, code=code, name=name, owner_id=owner_id,
        sharing=req.sharing.value, made_from=made_from,
    )  # fmt: skip
    overlay.overlay_type(session, code)
    session.flush()
    return visible_custom_area(session, viewer, code)


def visible_custom_areas(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    """The custom areas ``viewer`` may see, newest first (partners only)."""
    policy.require_partner(viewer)
    hidden = hidden_types(session, viewer)
    rows = repo.custom_areas(session, _small_type(session))
    return [_shape(r) for r in rows if r.type_code not in hidden]


def visible_custom_area(session: Session, viewer: Viewer, code: str) -> dict[str, Any]:
    return _shape(_visible_row(session, viewer, code))


def delete(session: Session, viewer: Viewer, code: str) -> None:
    """Delete a patch: its owner's or an administrator's to do."""
    row = _visible_row(session, viewer, code)
    policy.require_custom_area_owner(viewer, int(row.owner_id), str(row.owner))
    repo.delete_custom_type(session, str(row.type_code))


def _visible_row(session: Session, viewer: Viewer, code: str) -> Row[Any]:
    policy.require_partner(viewer)
    row = repo.custom_area(session, code, _small_type(session))
    if row is None or not policy.may_see_custom_area(
        viewer, int(row.owner_id), Sharing(row.sharing)
    ):
        raise NotFoundError(f"There is no custom area {code!r}")
    return row


def _small_type(session: Session) -> str:
    finest = overlay.finest_type(session)
    return "" if finest is None else finest[0]


def _shape(row: Row[Any]) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "type": row.type_code,
        "owner": row.owner,
        "agency": row.agency,
        "sharing": row.sharing,
        "made_from": row.made_from,
        "created_at": row.created_at,
        "vintage": row.vintage,
        "area_km2": row.area_km2,
        "small_areas": int(row.small_areas),
        "fit": None if row.fit is None else float(row.fit),
        "links": {
            "area": f"/api/areas/{row.code}",
            "profile": f"/api/areas/{row.code}/profile",
            "map": f"/api/areas?type={row.type_code}",
        },
    }


def _checked_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise CustomAreaRejectedError("A custom area needs a name")
    if len(name) > MAX_NAME_CHARS:
        raise CustomAreaRejectedError(
            f"A custom area's name has at most {MAX_NAME_CHARS} characters; got {len(name)}"
        )
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise CustomAreaRejectedError("A custom area's name must not hold control characters")
    return name


def _of_small_areas(session: Session, finest: tuple[str, int], codes: list[str]) -> bytes:
    wanted = list(dict.fromkeys(c.strip() for c in codes))
    if not wanted or wanted == [""]:
        raise CustomAreaRejectedError(f"Pick at least one {finest[0]} area (lsoas is empty)")
    if len(wanted) > MAX_SMALL_AREAS:
        raise CustomAreaRejectedError(
            f"A custom area is made of at most {MAX_SMALL_AREAS:,} {finest[0]} areas; "
            f"got {len(wanted):,}"
        )
    found = repo.small_areas_by_code(session, finest[0], finest[1], wanted)
    unknown = [c for c in wanted if c not in found]
    if unknown:
        listed = ", ".join(repr(c) for c in unknown[:LISTED])
        more = f" and {len(unknown) - LISTED} more" if len(unknown) > LISTED else ""
        raise CustomAreaRejectedError(f"Not {finest[0]} areas of {finest[1]} here: {listed}{more}")
    return repo.union_wkb(session, list(found.values()))


def _of_polygon(session: Session, finest: tuple[str, int], geometry: dict[str, Any]) -> bytes:
    try:
        patch = read_patch(geometry)
    except GeodataError as exc:
        raise CustomAreaRejectedError(str(exc)) from exc
    wkb = shapely.to_wkb(patch, output_dimension=2)
    where = repo.placement(session, wkb, finest[0], finest[1])
    if float(where.km2) > MAX_CITY_SHARE * float(where.city_km2):
        raise CustomAreaRejectedError(
            f"The polygon is too big: {float(where.km2):,.1f} km², more than "
            f"{MAX_CITY_SHARE:.0%} of the city's {float(where.city_km2):,.1f} km²"
        )
    if not where.inside or float(where.covered or 0) < MIN_COVERED:
        raise CustomAreaRejectedError(
            "The polygon lies outside the city: a custom area must lie within the extent "
            f"of its {finest[0]} areas, mostly on them (longitude first, RFC 7946)"
        )
    return bytes(wkb)


def ensure_patch_near(
    session: Session, viewer: Viewer, name: str, lon: float, lat: float, small_areas: int
) -> tuple[str, bool]:
    """The viewer's partnership patch ``name`` of ``small_areas`` adjacent small areas
    around a point (the nearest where the point lies outside the city), made unless it
    exists: (its code, whether it was made now)."""
    owner_id = policy.require_custom_area_author(viewer)
    found = repo.custom_area_named(session, name, owner_id)
    if found is not None:
        return found, False
    finest = overlay.finest_type(session)
    if finest is None:
        raise CustomAreaRejectedError("There are no small areas to make a custom area of yet")
    codes = repo.small_areas_near(session, finest[0], finest[1], lon, lat, small_areas)
    made = create(session, viewer, CustomAreaRequest(name, Sharing.PARTNERSHIP, codes))
    return str(made["code"]), True
