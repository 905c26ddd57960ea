"""Who a request (or a command) acts for."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ViewerKind(StrEnum):
    PUBLIC = "public"  # no credentials
    AGENCY = "agency"  # a partner agency's key
    ADMIN = "admin"  # an administrator's key, or the command line


@dataclass(frozen=True)
class Viewer:
    """Who is asking. What they may see and do is for :mod:`app.access.policy` to say.

    Attributes
    ----------
    kind : ViewerKind
        The public, an agency, or an administrator.
    actor : str
        How the history names them: ``"public"``, ``"key 1a2b3c4d"`` or ``"cli"``.
    key_id : int or None
        The API key they used, if any.
    agency_id, agency : int or None, str or None
        The agency they act for (administrators and the public act for none).
    """

    kind: ViewerKind
    actor: str
    key_id: int | None = None
    agency_id: int | None = None
    agency: str | None = None


PUBLIC = Viewer(ViewerKind.PUBLIC, "public")
CLI = Viewer(ViewerKind.ADMIN, "cli")
