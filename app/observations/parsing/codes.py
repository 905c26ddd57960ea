"""The indicator codes an uploader may use, matched as partners write them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from app.textfiles import normalise_header


class Codes:
    """The known indicator codes, matched ignoring case (and, for headers, punctuation)."""

    def __init__(self, codes: Iterable[str]) -> None:
        self.canonical = sorted(set(codes))
        self._exact = frozenset(self.canonical)
        self._by_fold: dict[str, str] = {}
        for code in self.canonical:
            self._by_fold.setdefault(code.casefold(), code)
        normals: dict[str, list[str]] = {}
        for code in self.canonical:
            normals.setdefault(normalise_header(code), []).append(code)
        # A header that normalises like two codes matches neither.
        self._by_normal = {k: v[0] for k, v in normals.items() if len(v) == 1}

    def match(self, text: str) -> str | None:
        """The known code written ``text``, ignoring case (an exact spelling wins)."""
        if text in self._exact:
            return text
        return self._by_fold.get(text.casefold())

    def match_header(self, header: str) -> str | None:
        """The known code a column header names, ignoring case, spaces and punctuation."""
        return self.match(header) or self._by_normal.get(normalise_header(header))

    def closest(self, text: str, n: int = 3) -> list[str]:
        folded = difflib.get_close_matches(text.casefold(), list(self._by_fold), n=n)
        return [self._by_fold[f] for f in folded]

    def unknown_reason(self, text: str) -> str:
        reason = f"'{text}' is not a known indicator code"
        if close := self.closest(text, n=1):
            return f"{reason}: did you mean '{close[0]}'?"
        return reason
