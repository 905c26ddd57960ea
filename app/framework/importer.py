"""Importing a framework from a spreadsheet: one CSV per sheet (boards, outcomes,
measures, targets, actions, updates), each known by its file name or its header.

Rows are applied in the order the references need (outcomes and boards, then measures
and their targets, then actions and their updates, then boards' interests), through the
same services the API uses, so every rule holds and every change is recorded. A code that
exists is updated (importing the same file again changes nothing); a list in a cell is
separated by semicolons. Every problem is reported with its file, row, column, value and
reason, and then nothing is stored.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.access.viewer import Role, Viewer
from app.errors import FrameworkRejectedError, NisError
from app.framework import actions, service
from app.framework import repository as repo

COLUMNS: dict[str, tuple[str, ...]] = {
    "outcomes": ("code", "title", "parent"),
    "boards": ("code", "name", "kind", "parent", "email", "members", "meetings", "interests"),
    "measures": ("code", "title", "indicator", "scope", "area_type", "area_code", "groups",
                 "statistic", "improvement", "baseline_period", "baseline_value", "lead_board",
                 "outcome", "frequency"),
    "targets": ("measure", "due_period", "value", "milestone", "trajectory", "profile"),
    "actions": ("code", "title", "description", "owner", "lead_agency", "partners",
                "starts_on", "ends_on", "status", "percent_complete", "areas", "measures",
                "alert", "selected_from"),
    "updates": ("action", "cycle", "status", "progress", "narrative", "blockers"),
}  # fmt: skip
REQUIRED: dict[str, tuple[str, ...]] = {
    "outcomes": ("code", "title"),
    "boards": ("code", "name"),
    "measures": ("code", "title", "indicator", "baseline_period"),
    "targets": ("measure", "due_period", "value"),
    "actions": ("code", "title", "owner"),
    "updates": ("action", "cycle", "narrative"),
}
ORDER = ("outcomes", "boards", "measures", "targets", "actions", "updates")
MAX_ROWS = 20_000
YES = ("1", "yes", "y", "true", "milestone")


@dataclass
class Sheet:
    kind: str
    name: str
    rows: list[dict[str, str]]


@dataclass
class ImportResult:
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)


def read_sheet(name: str, data: bytes, kind: str | None = None) -> Sheet:
    """One CSV as a sheet of ``kind`` (from the file name, else from its header)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FrameworkRejectedError(f"{name} is not UTF-8 text (save it as CSV UTF-8)") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower().replace(" ", "_") for h in reader.fieldnames or []]
    kind = kind or _kind_of(Path(name).stem.lower(), header)
    if kind is None:
        raise FrameworkRejectedError(
            f"{name}: not a sheet of {', '.join(ORDER)} (name the file after one, e.g. "
            "measures.csv, or give it that sheet's columns)"
        )
    missing = [c for c in REQUIRED[kind] if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS[kind]]
    if missing or unknown:
        said = []
        if missing:
            said.append(f"lacks column(s) {', '.join(missing)}")
        if unknown:
            said.append(f"has column(s) {', '.join(unknown)} that a {kind} sheet has not")
        raise FrameworkRejectedError(
            f"{name} ({kind}) {' and '.join(said)}; its columns are {', '.join(COLUMNS[kind])}"
        )
    rows = []
    for raw in reader:
        rows.append({h: (v or "").strip() for h, v in zip(header, raw.values(), strict=False)})
        if len(rows) > MAX_ROWS:
            raise FrameworkRejectedError(f"{name} has more than {MAX_ROWS:,} rows")
    return Sheet(kind, name, rows)


def _kind_of(stem: str, header: list[str]) -> str | None:
    for kind in ORDER:
        if stem == kind or stem.endswith(f"_{kind}") or stem.endswith(f"-{kind}"):
            return kind
    fits = [k for k in ORDER if set(REQUIRED[k]) <= set(header) <= set(COLUMNS[k])]
    return fits[0] if len(fits) == 1 else None


def import_sheets(session: Session, viewer: Viewer, sheets: list[Sheet]) -> ImportResult:
    """Apply the sheets (only flushes). Raises FrameworkRejectedError listing every row's
    problem when there is one, having undone every row (whatever the caller does then)."""
    whole = session.begin_nested()
    try:
        result = _apply_sheets(session, viewer, sheets)
    except BaseException:
        whole.rollback()
        raise
    if result.errors:
        whole.rollback()
        n = len(result.errors)
        raise FrameworkRejectedError(
            f"{n} problem(s) in the framework's sheets: nothing was imported",
            errors=result.errors,
        )
    whole.commit()
    return result


def _apply_sheets(session: Session, viewer: Viewer, sheets: list[Sheet]) -> ImportResult:
    result = ImportResult()
    interests: list[tuple[Sheet, int, str, str]] = []
    for kind in ORDER:
        for sheet in (s for s in sheets if s.kind == kind):
            for number, row in enumerate(sheet.rows, start=2):
                apply = _APPLY[kind]
                try:
                    with session.begin_nested():
                        later = apply(session, viewer, row)
                except NisError as exc:
                    result.errors.append(_problem(sheet, number, row, exc.message))
                    continue
                for board, subject in later:
                    interests.append((sheet, number, board, subject))
                result.counts[kind] = result.counts.get(kind, 0) + 1
            if kind == "boards":
                _parents(session, viewer, sheet, result)
    for sheet, number, board, subject in interests:
        try:
            with session.begin_nested():
                _interest(session, viewer, board, subject)
        except NisError as exc:
            result.errors.append(_problem(sheet, number, {"interests": subject}, exc.message))
    return result


def _parents(session: Session, viewer: Viewer, sheet: Sheet, result: ImportResult) -> None:
    """Boards report to boards of the same sheet, in any order: parents once all exist."""
    for number, row in enumerate(sheet.rows, start=2):
        if not row.get("parent"):
            continue
        try:
            with session.begin_nested():
                service.update_board(session, viewer, row["code"], {"parent": row["parent"]})
        except NisError as exc:
            result.errors.append(_problem(sheet, number, row, exc.message))


def _problem(sheet: Sheet, number: int, row: dict[str, str], reason: str) -> dict[str, Any]:
    """Where a problem is: the column its message names first (else none)."""
    first = reason.split(" ", 1)[0].split("[", 1)[0]
    column = first if first in row else next((c for c in row if c in reason.split()), None)
    return {"file": sheet.name, "row": number, "column": column,
            "value": row.get(column) if column else None, "reason": reason}  # fmt: skip


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _given(row: dict[str, str], *names: str) -> dict[str, Any]:
    return {n: row[n] for n in names if row.get(n)}


Later = list[tuple[str, str]]


def _outcome(session: Session, viewer: Viewer, row: dict[str, str]) -> Later:
    spec = _given(row, "code", "title", "parent")
    if repo.by_code(session, "outcome", row["code"].lower()) is None:
        service.create_outcome(session, viewer, spec)
    return []


def _board(session: Session, viewer: Viewer, row: dict[str, str]) -> Later:
    spec = _given(row, "name", "kind", "email")  # parents once every board exists
    code = row["code"].strip().lower()
    if repo.by_code(session, "board", code) is None:
        service.create_board(session, viewer, {"code": code, **spec})
    else:
        service.update_board(session, viewer, code, spec)
    for member in _split(row.get("members", "")):
        name, _, role = member.partition(":")
        service.add_member(session, viewer, code, name, role or "member")
    known = {m["meets_on"] for m in service.board(session, viewer, code)["meetings"]}
    for meeting in _split(row.get("meetings", "")):
        day, _, due = meeting.partition(":")
        if day not in known:
            service.add_meeting(session, viewer, code, day, due or None)
    return [(code, subject) for subject in _split(row.get("interests", ""))]


def _measure(session: Session, viewer: Viewer, row: dict[str, str]) -> Later:
    spec = _given(row, *COLUMNS["measures"])
    code = row["code"].strip().lower()
    if repo.by_code(session, "measure", code) is None:
        service.create_measure(session, viewer, spec)
    else:
        spec.pop("code")
        spec.pop("indicator", None)  # a measure keeps its indicator
        service.update_measure(session, viewer, code, spec)
    return []


def _target(session: Session, viewer: Viewer, row: dict[str, str]) -> Later:
    spec: dict[str, Any] = _given(row, "due_period", "value", "trajectory")
    spec["milestone"] = row.get("milestone", "").lower() in YES
    if row.get("profile"):
        spec["profile"] = _split(row["profile"])
    service.set_target(session, viewer, row["measure"], spec)
    return []


def _action(session: Session, viewer: Viewer, row: dict[str, str]) -> Later:
    spec: dict[str, Any] = _given(row, "code", "title", "description", "owner", "lead_agency",
                                  "starts_on", "ends_on", "status", "percent_complete",
                                  "selected_from")  # fmt: skip
    spec["partners"] = _split(row.get("partners", ""))
    spec["areas"] = _split(row.get("areas", ""))
    links: list[dict[str, Any]] = []
    for cell in _split(row.get("measures", "")):
        measure, _, rest = cell.partition(":")
        expected, _, lag = rest.partition(":")
        links.append({"measure": measure, "expected": expected or None,
                      "lag_months": lag or 0})  # fmt: skip
    code = row["code"].strip().lower()
    if row.get("alert"):
        spec["alert"] = int(row["alert"]) if row["alert"].isdigit() else row["alert"]
    if repo.by_code(session, "action", code) is None:
        actions.create_action(session, viewer, {**spec, "measures": links})
    else:
        for name in ("code", "owner", "alert"):
            spec.pop(name, None)
        actions.update_action(session, viewer, code, spec)
        for each in links:
            actions.link_measure(session, viewer, code, each)
    return []


def _update(session: Session, viewer: Viewer, row: dict[str, str]) -> Later:
    """An owner's update, given as the owner (the command line speaks for them)."""
    found = repo.by_code(session, "action", row["action"].strip().lower())
    if found is None:
        raise FrameworkRejectedError(f"action {row['action']!r} is not an action")
    owner = repo.snapshot(session, "action", found.id)["owner"]
    as_owner = Viewer(Role.OFFICER, f"user {owner}", user_id=int(found.owner_id))
    cycle = row["cycle"]
    done = {u["cycle"] for u in repo.updates(session, [found.id])}
    if cycle in done:
        return []  # given already: updates are never changed
    actions.add_update(session, as_owner, row["action"], _given(row, *COLUMNS["updates"]))
    return []


def _interest(session: Session, viewer: Viewer, board: str, subject: str) -> None:
    kind, _, code = subject.partition(":")
    registered = service.board(session, viewer, board)["interests"]
    if any(i["kind"] == kind.strip() and i.get(kind.strip()) == code.strip() for i in registered):
        return
    service.add_interest(session, viewer, board, {"kind": kind, "code": code})


_APPLY: dict[str, Callable[[Session, Viewer, dict[str, str]], Later]] = {
    "outcomes": _outcome,
    "boards": _board,
    "measures": _measure,
    "targets": _target,
    "actions": _action,
    "updates": _update,
}
