"""The demo's performance framework, modelled on a city partnership's: a strategic board,
an executive board, three thematic partnerships (successful neighbourhoods; children and
young people; health and wellbeing) and a task-and-finish group whose members come from
several boards; measures of burglary, violent crime, criminal damage in the most deprived
fifth, the gap in persistent absence and childhood obesity, with targets; actions with
owners, one of them (childhood obesity) followed by two boards; and one action opened
from the analysis's correlated alert of criminal damage with persistent absence.

The sheets in this folder are imported as a partnership would import its own
(``nis framework import``); meetings and owners' updates are dated from today, so that
reminders fall due; reports are issued twice for the Successful Neighbourhoods
Partnership (the last meeting's and this one's), so that the measure whose actions are
all on track while burglary does not fall carries the innovation flag.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.access import account_repository
from app.access.users import create_local_user
from app.access.viewer import CLI, Role, Viewer
from app.db import unit_of_work
from app.framework import actions, importer, report, service
from app.framework import repository as repo

HERE = Path(__file__).resolve().parent
SHEETS = ("outcomes", "boards", "measures", "targets", "actions")
FIRST_BOARD = "city-partnership"
LEAD_BOARD = "successful-neighbourhoods"
# Owners of the demo's actions and chairs of its boards (accounts nobody signs in to).
PEOPLE = {
    "sam.patel": ("Inspector Sam Patel", "police"),
    "jo.wright": ("Jo Wright, attendance lead", "schools"),
    "ali.khan": ("Dr Ali Khan, public health", "health"),
}
OFFICER = "demo.officer"
UPDATES = {
    "burglary-target-hardening": ("on_track", 75, "Locks and lighting fitted in 412 homes this "
                                  "quarter; the waiting list is down to three weeks.", ""),
    "burglary-cocoon-watch": ("on_track", 85, "Every burglary in the month had its cocoon "
                              "visits within 48 hours; 1,180 homes visited.", ""),
    "obesity-active-schools": ("on_track", 60, "Twelve of the fifteen schools now run the daily "
                               "mile; healthier lunches in nine. Term-time only, so progress "
                               "shows in the next measurement year.",
                               "Two schools are waiting for kitchen works."),
    "absence-attendance-mentors": ("on_track", 65, "Mentors work with 140 families; attendance "
                                   "meetings moved into the schools.", ""),
}  # fmt: skip


def load_demo_framework(
    database_url: str, *, say: Callable[[str], None], today: date | None = None
) -> None:
    """Load the demo framework once (nothing when its boards are there)."""
    today = today or datetime.now(UTC).date()
    with unit_of_work(database_url) as session:
        if repo.by_code(session, "board", FIRST_BOARD) is not None:
            say("demo framework: loaded already (boards at /api/framework/boards)")
            return
        _people(session)
        sheets = [
            importer.read_sheet(f"{name}.csv", (HERE / f"{name}.csv").read_bytes(), name)
            for name in SHEETS
        ]
        result = importer.import_sheets(session, CLI, sheets)
        _meetings(session, today)
        cycle = _cycle_before(today)
        _updates(session, cycle)
        opened = _action_from_alert(session, today)
        _page_hall(session)
    said = ", ".join(f"{n} {kind}" for kind, n in result.counts.items())
    say(f"demo framework: {said}; owners' updates for {cycle}")
    if opened:
        say(f"  opened from the correlated alert: {opened}")
    # The lead board's last report and this one: two consecutive assessments.
    for _ in range(2):
        with unit_of_work(database_url) as session:
            report.issue(session, CLI, LEAD_BOARD)
    with unit_of_work(database_url) as session:
        for board in ("children-young-people", "health-wellbeing"):
            report.issue(session, CLI, board)
        flags = session.execute(
            text(
                "SELECT m.code FROM innovation_flag f JOIN measure m ON m.id = f.measure_id "
                "WHERE f.cleared_at IS NULL ORDER BY 1"
            )
        ).scalars()
        flagged = list(flags)
    say(
        "  reports issued; innovation flag on: "
        + (", ".join(flagged) if flagged else "no measure (the data did not call for one)")
    )


def _people(session: Session) -> None:
    for username, (name, agency) in PEOPLE.items():
        if account_repository.user_by_name(session, username) is None:
            create_local_user(
                session, CLI, username, secrets.token_urlsafe(24), "officer", agency=agency,
                display_name=name, email=f"{username}@example.org",
            )  # fmt: skip
    if account_repository.user_by_name(session, OFFICER) is None:
        create_local_user(session, CLI, OFFICER, secrets.token_urlsafe(24), "officer",
                          display_name="Demo Officer")  # fmt: skip
    session.execute(
        text("UPDATE app_user SET email = :e WHERE username = :u AND email IS NULL"),
        {"e": f"{OFFICER}@example.org", "u": OFFICER},
    )


def _meetings(session: Session, today: date) -> None:
    """Each board's last meeting and its next (updates due five days from today)."""
    for code in ("city-partnership", "executive", LEAD_BOARD, "children-young-people",
                 "health-wellbeing", "page-hall-group"):  # fmt: skip
        for meets, due in ((today - timedelta(28), today - timedelta(35)),
                           (today + timedelta(12), today + timedelta(5))):  # fmt: skip
            service.add_meeting(session, CLI, code, meets, due)


def _cycle_before(today: date) -> str:
    first = today.replace(day=1) - timedelta(days=1)
    return first.strftime("%Y-%m")


def _updates(session: Session, cycle: str) -> None:
    """Each owner's update for the last cycle (the night-time economy's is missing)."""
    for code, (status, progress, narrative, blockers) in UPDATES.items():
        found = repo.by_code(session, "action", code)
        owner = repo.snapshot(session, "action", found.id)["owner"]
        as_owner = Viewer(Role.OFFICER, f"user {owner}", user_id=int(found.owner_id))
        actions.add_update(session, as_owner, code, {
            "cycle": cycle, "status": status, "progress": progress,
            "narrative": narrative, "blockers": blockers,
        })  # fmt: skip


def _page_hall(session: Session) -> None:
    """The task-and-finish group works in Page Hall: the demo's patch of it (and Burngreave
    ward, where the demo has Sheffield's wards)."""
    from app.demo import DEMO_PATCH

    areas = session.execute(
        text(
            "SELECT a.code FROM custom_area c JOIN area a ON a.id = c.area_id WHERE c.name = :n "
            "UNION ALL SELECT code FROM area WHERE type_code = 'ward' AND name = 'Burngreave'"
        ),
        {"n": DEMO_PATCH},
    ).scalars()
    for code in areas:
        service.add_interest(session, CLI, "page-hall-group", {"kind": "area", "code": code})


def _action_from_alert(session: Session, today: date) -> str | None:
    """The joint action the correlated alert of criminal damage with persistent absence
    leads to: police, schools and community groups, in the alert's area."""
    alert = session.execute(
        text(
            "SELECT al.id, a.code, a.name FROM alert al JOIN area a ON a.id = al.area_id "
            "WHERE al.kind = 'correlated' AND al.run_id = (SELECT max(id) FROM analysis_run "
            "WHERE status = 'done') AND al.indicators @> ARRAY['criminal_damage_arson', "
            "'persistent_absence'] ORDER BY al.q, al.id LIMIT 1"
        )
    ).first()
    if alert is None:
        return None
    code = f"joint-action-{str(alert.code).lower()}"
    actions.create_action(session, CLI, {
        "code": code, "title": f"Joint action in {alert.name}: criminal damage and truancy",
        "description": "Police, schools and community groups together: patrols at the times "
                       "damage peaks, attendance follow-up of the pupils involved, and youth "
                       "provision after school.",
        "owner": "sam.patel", "lead_agency": "police",
        "partners": ["schools", "community groups"], "starts_on": today.isoformat(),
        "status": "not_started", "alert": int(alert.id),
        "measures": [{"measure": "damage-deprived", "expected": "down", "lag_months": 3},
                     {"measure": "absence-gap", "expected": "down", "lag_months": 6}],
    })  # fmt: skip
    service.add_interest(session, CLI, "page-hall-group", {"kind": "action", "code": code})
    return f"{code} (alert {alert.id}, {alert.name})"
