"""The one policy: what a viewer may see and do.

Every read path (observations, maps, profiles, alerts, analysis runs, OGC items, tiles,
downloads, exports) and every read-cache key asks here, so that when roles change
(officers signing in) they change in one place:

- **indicators**: public ones for everyone; partners-only ones for partners; one computed
  from a partners-only indicator for partners;
- **values**: counts below an indicator's disclosure threshold (the count itself, or
  the count behind a rate or percentage) are suppressed for the public, with the
  complementary cells that stop differencing (:mod:`app.observations.disclosure`
  applies it);
- **batches** (upload history): an agency sees its own, an administrator all, the
  public none;
- **raw events**: never public; an agency sees its own, an administrator all;
- **analysis runs** (they record every indicator a run saw): partners;
- **writing**: an agency writes what it owns; administrators write anything and run
  administrative tasks.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from enum import StrEnum
from typing import Protocol, TypeVar

from app.access.viewer import Viewer, ViewerKind
from app.errors import AuthenticationError, PermissionDeniedError


class Visibility(StrEnum):
    """Who an indicator is published to."""

    PUBLIC = "public"
    PARTNERS = "partners"


class Disclosed(Protocol):
    """What the policy reads of an indicator."""

    @property
    def visibility(self) -> Visibility: ...

    @property
    def disclosure_threshold(self) -> int | None: ...


D = TypeVar("D", bound=Disclosed)


def is_partner(viewer: Viewer) -> bool:
    """Whether the viewer is one of the partnership (an agency or an administrator)."""
    return viewer.kind is not ViewerKind.PUBLIC


def audience(viewer: Viewer) -> str:
    """What a viewer's reads depend on, for cache keys: two viewers with the same
    audience see the same values."""
    return "partners" if is_partner(viewer) else "public"


def may_see_indicator(
    viewer: Viewer, indicator: Disclosed, inputs: Iterable[Disclosed] = ()
) -> bool:
    """Whether the viewer may see ``indicator``, and so each of the ``inputs`` it is
    computed from: a value is never more visible than what it is made of."""
    return all(
        i.visibility is Visibility.PUBLIC or is_partner(viewer) for i in (indicator, *inputs)
    )


def visible(viewer: Viewer, indicators: Iterable[D]) -> list[D]:
    """The indicators the viewer may see, in the order given."""
    return [i for i in indicators if may_see_indicator(viewer, i)]


def sees_small_counts(viewer: Viewer) -> bool:
    """Whether the viewer sees values whatever their counts. For everyone else, counts
    below an indicator's disclosure threshold are hidden, with as many others as it
    takes for no hidden count to be had back by differencing
    (:mod:`app.observations.disclosure`)."""
    return is_partner(viewer)


def acts_for_every_agency(viewer: Viewer) -> bool:
    """Administrators act for (see and write the batches and events of) every agency; an
    agency's key for its own; the public for none."""
    return viewer.kind is ViewerKind.ADMIN


def may_see_batch(viewer: Viewer, agency_id: int | None) -> bool:
    if viewer.kind is ViewerKind.ADMIN:
        return True
    return is_partner(viewer) and agency_id is not None and agency_id == viewer.agency_id


def may_see_raw_events(viewer: Viewer, agency_id: int) -> bool:
    """Raw events (exact places of crimes and fires) never reach the public."""
    return may_see_batch(viewer, agency_id)


def may_write(viewer: Viewer, owner: str) -> bool:
    """Whether the viewer may write what agency ``owner`` owns."""
    return viewer.kind is ViewerKind.ADMIN or (
        viewer.kind is ViewerKind.AGENCY and viewer.agency == owner
    )


def require_partner(viewer: Viewer) -> None:
    if not is_partner(viewer):
        raise AuthenticationError("This needs an API key: send Authorization: Bearer KEY")


def require_admin(viewer: Viewer) -> None:
    require_partner(viewer)
    if viewer.kind is not ViewerKind.ADMIN:
        raise PermissionDeniedError("This needs an administrator's key")


def require_owner(viewer: Viewer, owner: str, what: str) -> None:
    """An agency writes only what it owns; administrators write anything."""
    require_partner(viewer)
    if not may_write(viewer, owner):
        mine = f"agency {viewer.agency!r}" if viewer.agency else "a key of no agency"
        raise PermissionDeniedError(f"{what} belongs to agency {owner!r}, not {mine}")


def cache_scope(viewer: Viewer) -> str:
    """Who may keep a response in their cache (``Cache-Control``): anyone's (a shared
    cache) for what the public sees, the viewer's own browser only for a partner's."""
    return "private" if is_partner(viewer) else "public"


def cache_key(viewer: Viewer, *parts: Hashable) -> tuple[Hashable, ...]:
    """The key of a read kept in the read cache: what it is, and who it is for."""
    return (audience(viewer), *parts)
