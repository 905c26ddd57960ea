"""Analysis runs as a viewer may see them.

A run reads every indicator, so what it records (what it saw of each, which it tested or
skipped and why, the pairs, hotspots and gaps it found) names agency-only indicators of
every agency. A viewer sees a run without the indicators the policy hides from them: as
if the run had never seen those; likewise for the custom areas they may not see.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from sqlalchemy.orm import Session

from app.access.viewer import Viewer
from app.areas import custom
from app.indicators import repository as indicator_repo
from app.indicators.service import visible_indicators


def hidden_codes(session: Session, viewer: Viewer) -> frozenset[str]:
    """The codes of the indicators the viewer may not see (none, for administrators),
    and of the custom areas' types they may not see (a run may analyse one)."""
    shown = {i.code for i in visible_indicators(session, viewer)}
    hidden = frozenset(c for c in indicator_repo.all_codes(session) if c not in shown)
    return hidden | custom.hidden_types(session, viewer)


def without_codes(tree: Any, codes: Set[str]) -> Any:
    """``tree`` (JSON) without what names an indicator of ``codes``: keys that are one,
    values that are one, and list items (codes, or records such as a pair) that name one
    anywhere within them.

    >>> without_codes({"a": 1, "x": {"n": 2}, "pairs": [{"indicators": ["a", "x"]}],
    ...                "tested": ["a", "x"]}, {"x"})
    {'a': 1, 'pairs': [], 'tested': ['a']}
    """
    if not codes:
        return tree
    if isinstance(tree, dict):
        return {
            k: without_codes(v, codes)
            for k, v in tree.items()
            if k not in codes and not (isinstance(v, str) and v in codes)
        }
    if isinstance(tree, list):
        return [without_codes(v, codes) for v in tree if not _names(v, codes)]
    return tree


def _names(tree: Any, codes: Set[str]) -> bool:
    if isinstance(tree, str):
        return tree in codes
    if isinstance(tree, dict):
        return any(k in codes or _names(v, codes) for k, v in tree.items())
    if isinstance(tree, list):
        return any(_names(v, codes) for v in tree)
    return False
