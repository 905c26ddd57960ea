"""Domain errors of the geodata package.

Every error carries a stable machine-readable ``code`` (for the API and the CLI to key on),
a human ``message`` and, where we can offer one, a ``hint`` saying what to do next. They know
nothing of HTTP: the web layer decides how to present them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # repair.py imports this module, so only import it for type checking
    from geodata.repair import RepairReport

# Long lists are cut in messages so that a systematic problem in a 35,000-feature file does
# not produce a megabyte of text; the full list stays on the exception object.
MAX_LISTED = 50


class GeodataError(Exception):
    """Base class of every error raised by the geodata package.

    Parameters
    ----------
    message : str
        What went wrong, in words a user understands.
    code : str, optional
        Overrides the class's default ``code`` for a more specific case.
    hint : str, optional
        What the user can do about it.
    """

    code: str = "geodata_error"

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\nHint: {self.hint}"
        return self.message


class BoundaryFileError(GeodataError):
    """The boundary file cannot be read, or its layer cannot be chosen.

    ``layers`` lists the layers the file holds when that is known, so the caller can offer them.
    """

    code = "boundary_file_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        hint: str | None = None,
        layers: Sequence[str] = (),
    ) -> None:
        super().__init__(message, code=code, hint=hint)
        self.layers = list(layers)


class CrsError(GeodataError):
    """The coordinate reference system is missing, invalid or not the one required."""

    code = "missing_crs"


class FieldDetectionError(GeodataError):
    """The code or name field cannot be found; ``columns`` lists the available columns."""

    code = "field_detection_failed"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        hint: str | None = None,
        columns: Sequence[str] = (),
    ) -> None:
        super().__init__(message, code=code, hint=hint)
        self.columns = list(columns)


class LookupFileError(GeodataError):
    """A lookup (child area -> parent area) file cannot be read or is inconsistent."""

    code = "lookup_error"


class UnknownCityError(GeodataError):
    """The demo city is not among the local authorities in the bundled LSOA boundaries."""

    code = "unknown_city"


@dataclass(frozen=True)
class FeatureProblem:
    """One problem with one feature of a boundary file.

    Attributes
    ----------
    index : int
        Position of the feature in the file (0-based).
    code : str or None
        The feature's area code, when it has one.
    field : str or None
        The column the problem is about (``"geometry"`` for geometry problems).
    reason : str
        Human-readable description.
    kind : str
        Stable identifier of the kind of problem, e.g. ``"duplicate_code"``.
    """

    index: int
    code: str | None
    field: str | None
    reason: str
    kind: str = "invalid_feature"

    def describe(self) -> str:
        """Return a one-line description naming the feature by index and code."""
        who = f"feature #{self.index}"
        if self.code is not None:
            who += f" (code {self.code!r})"
        return f"{who}: {self.reason}"


# What to do about each kind of problem; shown once per kind below the list of problems.
_PROBLEM_HINTS: dict[str, str] = {
    "missing_code": "every feature needs an area code; fill the blanks or choose another "
    "code field (--code-field).",
    "duplicate_code": "area codes must be unique; check that the code field is the right "
    "one (--code-field) or merge/remove the duplicated features.",
    "missing_name": "every feature needs a name; fill the blanks or choose another name "
    "field (--name-field).",
    "missing_geometry": "remove the feature or give it a boundary.",
    "empty_geometry": "remove the feature or give it a boundary.",
    "not_polygon": "areas must be polygons; points or lines cannot be used as boundaries.",
    "repair_collapsed": "the geometry has no area once made valid; fix it in a GIS.",
}


class FeatureValidationError(GeodataError):
    """Some features are unusable; ``problems`` lists every problem found in the file."""

    code = "invalid_features"

    def __init__(self, problems: Sequence[FeatureProblem]) -> None:
        self.problems = list(problems)
        n_features = len({p.index for p in self.problems})
        lines = [
            f"{len(self.problems)} problem(s) in {n_features} feature(s); nothing was imported:"
        ]
        lines += [f"  - {p.describe()}" for p in self.problems[:MAX_LISTED]]
        if len(self.problems) > MAX_LISTED:
            lines.append(f"  … and {len(self.problems) - MAX_LISTED} more")
        kinds = list(dict.fromkeys(p.kind for p in self.problems))
        hints = [_PROBLEM_HINTS[k] for k in kinds if k in _PROBLEM_HINTS]
        super().__init__("\n".join(lines), hint=" ".join(hints) or None)


class RepairRefusedError(GeodataError):
    """Repairing some invalid geometries would change their area too much.

    ``reports`` holds the refused :class:`~geodata.repair.RepairReport` objects.
    """

    code = "repair_refused"

    def __init__(self, reports: Sequence[RepairReport], max_change_pct: float) -> None:
        self.reports = list(reports)
        self.max_change_pct = max_change_pct
        lines = [
            f"{len(self.reports)} invalid geometr{'y' if len(self.reports) == 1 else 'ies'} "
            f"could not be repaired without changing the area by more than {max_change_pct:g}%; "
            "nothing was imported:"
        ]
        for r in self.reports[:MAX_LISTED]:
            line = (
                f"  - feature #{r.index} (code {r.code!r}): {r.reason}; area "
                f"{r.area_before:.4f} km² before, {r.area_after:.4f} km² after repair "
                f"({r.change_pct:+.2f}%)"
            )
            if r.hole_outside_shell:
                line += (
                    "; it has a hole lying outside its outer ring, which usually means a "
                    "multi-part polygon whose second part was stored as a hole"
                )
            if r.overlapping_parts:
                line += (
                    "; its parts overlap or nest, and the repair turns the overlap into a "
                    "hole, which is right only where a neighbouring area fills it"
                )
            lines.append(line)
        if len(self.reports) > MAX_LISTED:
            lines.append(f"  … and {len(self.reports) - MAX_LISTED} more")
        hint = (
            "fix these geometries in a GIS (e.g. turn misplaced holes into separate parts), "
            "or re-run with --force to accept the lossy repair; every accepted repair is "
            "reported with its area change."
        )
        super().__init__("\n".join(lines), hint=hint)
