"""Who a request (or a command) acts for."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a viewer is to the partnership, from least to most trusted
    (:mod:`app.access.policy` says what each may see and do)."""

    PUBLIC = "public"  # no credentials
    OFFICER = "officer"  # an officer of the partnership (a read key, too)
    ANALYST = "analyst"  # an agency's analyst: uploads for their agency (an upload key, too)
    ADMIN = "admin"  # catalogue, agencies and users; an administrator's key; the command line

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Role.PUBLIC: 0, Role.OFFICER: 1, Role.ANALYST: 2, Role.ADMIN: 3}


@dataclass(frozen=True)
class Viewer:
    """Who is asking. What they may see and do is for :mod:`app.access.policy` to say.

    Attributes
    ----------
    role : Role
        The public, an officer, an agency's analyst or an administrator.
    actor : str
        How the history and the audit name them: ``"public"``, ``"key 1a2b3c4d"``,
        ``"user jo.bloggs"`` or ``"cli"``.
    key_id : int or None
        The API key they used, if any.
    user_id, session_id : int or None
        The officer signed in, and their session, if any.
    agency_id, agency : int or None, str or None
        The agency they act for (administrators, the public and officers of the
        partnership as a whole act for none).
    """

    role: Role
    actor: str
    key_id: int | None = None
    user_id: int | None = None
    session_id: int | None = None
    agency_id: int | None = None
    agency: str | None = None


PUBLIC = Viewer(Role.PUBLIC, "public")
CLI = Viewer(Role.ADMIN, "cli")
