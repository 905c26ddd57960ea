"""The one policy: what a viewer may see and do.

Every read path (observations, maps, profiles, alerts, analysis runs, OGC items, tiles,
downloads, exports) and every read-cache key asks here, so that roles change in one
place. The roles (:class:`app.access.viewer.Role`), each with what the one before has:

- **the public** (no credentials): public indicators, with counts below an indicator's
  disclosure threshold suppressed together with the complementary cells that stop
  differencing (:mod:`app.observations.disclosure`);
- **an officer** of the partnership (signed in, or a read key): partners-only
  indicators and unsuppressed small numbers; an agency-only indicator when they are of
  its agency;
- **an agency's analyst** (signed in, or an upload key): also uploads, reverts and the
  keys of their own agency, and sees their agency's batches and raw events;
- **an administrator**: the catalogue, agencies, users and the audit; every agency's
  batches, events and agency-only indicators.

A value is never more visible than what it is computed from. Raw events are never
public. Analysis runs (they record every indicator a run saw) are for partners.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from enum import StrEnum
from typing import Protocol, TypeVar

from app.access.viewer import Role, Viewer
from app.errors import AuthenticationError, PermissionDeniedError


class Visibility(StrEnum):
    """Who an indicator is published to, from widest to narrowest."""

    PUBLIC = "public"
    PARTNERS = "partners"
    AGENCY = "agency"  # its own agency's officers and analysts (and administrators)

    @property
    def rank(self) -> int:
        return _VISIBILITY_RANKS[self]


_VISIBILITY_RANKS = {Visibility.PUBLIC: 0, Visibility.PARTNERS: 1, Visibility.AGENCY: 2}


class Disclosed(Protocol):
    """What the policy reads of an indicator."""

    @property
    def visibility(self) -> Visibility: ...

    @property
    def disclosure_threshold(self) -> int | None: ...

    @property
    def agency(self) -> str: ...


D = TypeVar("D", bound=Disclosed)

SIGN_IN = "This needs you signed in, or an API key sent as Authorization: Bearer KEY"


def is_partner(viewer: Viewer) -> bool:
    """Whether the viewer is of the partnership (any role but the public)."""
    return viewer.role is not Role.PUBLIC


def is_admin(viewer: Viewer) -> bool:
    return viewer.role is Role.ADMIN


def audience(viewer: Viewer) -> str:
    """What a viewer's reads depend on, for cache keys: two viewers with the same
    audience see the same indicators and values."""
    if not is_partner(viewer):
        return "public"
    if is_admin(viewer):
        return "admin"
    return f"partners:{viewer.agency or ''}"


def _sees(viewer: Viewer, indicator: Disclosed) -> bool:
    if indicator.visibility is Visibility.PUBLIC:
        return True
    if indicator.visibility is Visibility.PARTNERS:
        return is_partner(viewer)
    return is_admin(viewer) or (is_partner(viewer) and viewer.agency == indicator.agency)


def may_see_indicator(
    viewer: Viewer, indicator: Disclosed, inputs: Iterable[Disclosed] = ()
) -> bool:
    """Whether the viewer may see ``indicator``, and so each of the ``inputs`` it is
    computed from: a value is never more visible than what it is made of."""
    return all(_sees(viewer, i) for i in (indicator, *inputs))


def visible(viewer: Viewer, indicators: Iterable[D]) -> list[D]:
    """The indicators the viewer may see, in the order given."""
    return [i for i in indicators if may_see_indicator(viewer, i)]


def sees_small_counts(viewer: Viewer) -> bool:
    """Whether the viewer sees values whatever their counts. For everyone else, counts
    below an indicator's disclosure threshold are hidden, with as many others as it
    takes for no hidden count to be had back by differencing
    (:mod:`app.observations.disclosure`)."""
    return is_partner(viewer)


def is_restricted_read(viewer: Viewer, indicator: Disclosed) -> bool:
    """Whether the viewer's read of ``indicator``'s values is one of restricted data: an
    indicator the public may not see, or one whose small counts the public sees
    suppressed and this viewer does not. Such a read is audited, and what it gives is
    marked (:func:`marking`)."""
    if not is_partner(viewer):
        return False
    return indicator.visibility is not Visibility.PUBLIC or bool(indicator.disclosure_threshold)


MARKING = "Partners only — not for publication"


def marking(viewer: Viewer, indicator: Disclosed) -> str | None:
    """The marking that everything made of the viewer's view of ``indicator`` carries
    (the map's legend and GeoJSON, its PNG and HTML exports, CSV, GeoJSON and GeoPackage
    downloads) when that view holds what the public's does not; None otherwise. A view
    is marked exactly when reading it is audited (:func:`is_restricted_read`)."""
    return MARKING if is_restricted_read(viewer, indicator) else None


def acts_for_every_agency(viewer: Viewer) -> bool:
    """Administrators act for (see and write the batches and events of) every agency; an
    agency's analyst for their own; the public and officers for none."""
    return is_admin(viewer)


def may_see_batch(viewer: Viewer, agency_id: int | None) -> bool:
    if is_admin(viewer):
        return True
    return viewer.role is Role.ANALYST and agency_id is not None and agency_id == viewer.agency_id


def may_see_raw_events(viewer: Viewer, agency_id: int) -> bool:
    """Raw events (exact places of crimes and fires) never reach the public."""
    return may_see_batch(viewer, agency_id)


def may_write(viewer: Viewer, owner: str) -> bool:
    """Whether the viewer may write (upload, revert) what agency ``owner`` owns."""
    return is_admin(viewer) or (viewer.role is Role.ANALYST and viewer.agency == owner)


def may_manage_keys(viewer: Viewer, agency: str | None) -> bool:
    """Whether the viewer may make, list and revoke keys of ``agency`` (None: keys of no
    agency, the administrators')."""
    return is_admin(viewer) or (
        viewer.role is Role.ANALYST and agency is not None and viewer.agency == agency
    )


def require_partner(viewer: Viewer) -> None:
    if not is_partner(viewer):
        raise AuthenticationError(SIGN_IN)


def require_admin(viewer: Viewer) -> None:
    require_partner(viewer)
    if not is_admin(viewer):
        raise PermissionDeniedError("This needs an administrator")


def require_analyst(viewer: Viewer) -> None:
    """Uploads and reverts are for agencies' analysts (and administrators)."""
    require_partner(viewer)
    if viewer.role.rank < Role.ANALYST.rank:
        raise PermissionDeniedError(
            f"{viewer.actor} may read but not write: uploads need an agency's analyst "
            "(or an upload key)"
        )


def require_owner(viewer: Viewer, owner: str, what: str) -> None:
    """An agency writes only what it owns; administrators write anything."""
    require_analyst(viewer)
    if not may_write(viewer, owner):
        mine = f"agency {viewer.agency!r}" if viewer.agency else "no agency"
        raise PermissionDeniedError(f"{what} belongs to agency {owner!r}, not {mine}")


def require_key_manager(viewer: Viewer, agency: str | None) -> None:
    require_partner(viewer)
    if not may_manage_keys(viewer, agency):
        whose = f"agency {agency!r}" if agency else "no agency (administrators')"
        raise PermissionDeniedError(
            f"Keys of {whose} are managed by its analysts and by administrators"
        )


def cache_scope(viewer: Viewer) -> str:
    """Who may keep a response in their cache (``Cache-Control``): anyone's (a shared
    cache) for what the public sees, the viewer's own browser only for a partner's."""
    return "private" if is_partner(viewer) else "public"


def cache_key(viewer: Viewer, *parts: Hashable) -> tuple[Hashable, ...]:
    """The key of a read kept in the read cache: what it is, and who it is for."""
    return (audience(viewer), *parts)


# --- alerts ---------------------------------------------------------------------------


def sees_alert_handling(viewer: Viewer) -> bool:
    """Whether the viewer sees who acknowledged an alert, with what note, and to whom it
    is assigned: partners do; the public does not (officers' names are not public)."""
    return is_partner(viewer)


def require_alert_handler(viewer: Viewer) -> int:
    """Alerts are acknowledged and assigned by a signed-in person of the partnership (of
    any role), not with an API key: the account's id."""
    return require_signed_in_person(viewer, "Acknowledging or assigning an alert")


# --- custom areas ---------------------------------------------------------------------


class Sharing(StrEnum):
    """Who sees an officer's custom area besides them and administrators."""

    PRIVATE = "private"  # no one else
    PARTNERSHIP = "partnership"  # every partner (never the public)


def may_see_custom_area(viewer: Viewer, owner_id: int, sharing: Sharing) -> bool:
    """A private patch is its owner's (and administrators'); a partnership patch every
    partner's; no patch is ever the public's, on any route."""
    if not is_partner(viewer):
        return False
    if is_admin(viewer) or sharing is Sharing.PARTNERSHIP:
        return True
    return viewer.user_id is not None and viewer.user_id == owner_id


def require_custom_area_author(viewer: Viewer) -> int:
    """Custom areas are made by signed-in officers (a patch has a person as its owner):
    the account's id."""
    require_partner(viewer)
    if viewer.user_id is None:
        raise PermissionDeniedError(
            "Custom areas are made by a signed-in officer (a patch has a person as its "
            "owner), not with an API key"
        )
    return viewer.user_id


def require_custom_area_owner(viewer: Viewer, owner_id: int, owner: str) -> None:
    """A patch is deleted by its owner or an administrator."""
    require_partner(viewer)
    if not (is_admin(viewer) or (viewer.user_id is not None and viewer.user_id == owner_id)):
        raise PermissionDeniedError(
            f"This custom area is {owner}'s: only they or an administrator may delete it"
        )


# --- the performance framework ---------------------------------------------------------
# Boards, measures, actions and reports are the partnership's working papers: partners
# read them (a measure of an indicator the viewer may not see is left out); the public
# never does.


def require_framework_editor(viewer: Viewer) -> None:
    """Outcomes, measures, targets and boards are set by administrators (the
    partnership's performance team), or imported from a spreadsheet by the command line."""
    require_admin(viewer)


def require_board_member(viewer: Viewer, member: bool, board: str) -> None:
    """A board's interests, meetings and reports are for its members (and administrators)."""
    require_partner(viewer)
    if not (is_admin(viewer) or member):
        raise PermissionDeniedError(f"This is for members of {board} (or an administrator)")


def require_signed_in_person(viewer: Viewer, what: str) -> int:
    """Actions have a person as owner and updates a person as author: a signed-in
    account, not an API key. The account's id."""
    require_partner(viewer)
    if viewer.user_id is None:
        raise PermissionDeniedError(f"{what} needs a signed-in officer, not an API key")
    return viewer.user_id


def require_action_editor(viewer: Viewer, owner_id: int, owner: str) -> None:
    """An action's status, progress and links are its owner's (or an administrator's)."""
    require_partner(viewer)
    if not (is_admin(viewer) or (viewer.user_id is not None and viewer.user_id == owner_id)):
        raise PermissionDeniedError(f"This action is {owner}'s: only they or an administrator")


def require_update_author(viewer: Viewer, owner_id: int, owner: str) -> int:
    """An action's update is given by its owner, signed in: one voice, reported to every
    board with an interest."""
    user_id = require_signed_in_person(viewer, "An action's update")
    if user_id != owner_id:
        raise PermissionDeniedError(f"This action's updates are given by its owner, {owner}")
    return user_id
