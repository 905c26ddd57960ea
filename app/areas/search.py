"""Finding a place: an area of any type by part of its name or code, in any case, or a
postcode's areas when a postcode directory has been imported (:mod:`.postcodes`)."""

from __future__ import annotations

import string
from typing import Any, Final

from sqlalchemy.orm import Session

from app.access.viewer import Viewer
from app.areas import custom
from app.areas import search_repository as repo
from app.errors import InvalidParameterError
from geodata.postcodes import normalise_postcode

# The longest text searched for: names of areas are far shorter, and a longer text is a
# mistake (or an attempt to make the database work).
MAX_QUERY_CHARS: Final = 100
DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 100

_PUNCTUATION = frozenset(string.punctuation)


def like_literal(text: str) -> str:
    """``text`` for a LIKE pattern, its wildcards (``%``, ``_``) and the escape character
    (a backslash) matching themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def word_start(text: str) -> str:
    """A PostgreSQL regular expression matching ``text`` at the start of a word (each
    punctuation character escaped, so that it matches itself)."""
    return r"\m" + "".join(f"\\{c}" if c in _PUNCTUATION else c for c in text)


def search(session: Session, viewer: Viewer, q: str, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """What ``q`` finds: when it is a full UK postcode held in the postcode directory,
    the postcode and the areas holding it; otherwise the areas whose code or name holds
    it (newest vintage of every type, best matches first, at most ``limit``). Custom
    areas the viewer may not see are not found."""
    query = " ".join(q.split())
    if not query:
        raise InvalidParameterError(
            "q is blank: give part of an area's name or code, or a postcode"
        )
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidParameterError(
            f"q is {len(query):,} characters long; a search takes at most {MAX_QUERY_CHARS} "
            "(part of an area's name or code, or a postcode)"
        )
    hidden = sorted(custom.hidden_types(session, viewer))
    postcode = normalise_postcode(query)
    if postcode is not None:
        found = repo.find_postcode(session, postcode)
        if found is not None:
            holding = repo.areas_of_postcode(session, postcode, hidden)
            return {
                "query": query,
                "postcode": dict(found._mapping),
                "hits": [dict(r._mapping) for r in holding],
            }
    hits = repo.search_areas(session, like_literal(query), word_start(query), limit, hidden)
    return {"query": query, "postcode": None, "hits": [dict(r._mapping) for r in hits]}
