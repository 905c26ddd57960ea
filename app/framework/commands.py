"""``nis framework``: import a framework from a spreadsheet, assess its measures, send
its notifications, and write a board's report."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from app.access.viewer import CLI
from app.cli_base import connected_session, connected_settings, examples, say
from app.errors import NisError
from app.framework import assessments, importer, notify, rendering, report
from app.notifications.transport import smtp_config_from

framework_cli = typer.Typer(
    help=(
        "The performance framework: boards, measures, targets, actions and reports.\n\n"
        "Examples:\n\n"
        "  nis framework import boards.csv measures.csv targets.csv actions.csv\n\n"
        "  nis framework assess\n\n"
        "  nis framework notify\n\n"
        "  nis framework report city-partnership --pdf city.pdf\n\n"
        "  nis framework report city-partnership --at 2026-11-30T18:00 --html then.html"
    ),
    no_args_is_help=True,
)


def _fail(exc: NisError) -> None:
    say(f"error: {exc.message}")
    for e in exc.errors[:50]:
        where = f"{e.get('file')} row {e.get('row')}"
        if e.get("column"):
            where += f", column {e['column']} ({e.get('value')!r})"
        say(f"  {where}: {e.get('reason')}")
    if len(exc.errors) > 50:
        say(f"  ... and {len(exc.errors) - 50} more")
    raise typer.Exit(1)


@framework_cli.command(
    "import",
    epilog=examples(
        "nis framework import boards.csv measures.csv targets.csv actions.csv",
        "nis framework import sheets/*.csv",
    ),
)
def import_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help=(
                "CSV files, one per sheet, named (or headed) as boards, outcomes, measures, "
                "targets, actions or updates; lists in a cell separated by ';'"
            ),
            exists=True,
            dir_okay=False,
        ),
    ],
) -> None:
    """Import (or update) a framework from a spreadsheet's sheets saved as CSV; nothing is
    stored unless every row is right."""
    try:
        sheets = [importer.read_sheet(f.name, f.read_bytes()) for f in files]
        with connected_session() as session:
            result = importer.import_sheets(session, CLI, sheets)
    except NisError as exc:
        _fail(exc)
        return
    for kind in importer.ORDER:
        if kind in result.counts:
            say(f"{kind}: {result.counts[kind]} row(s) applied")


@framework_cli.command(
    "assess",
    epilog=examples(
        "nis framework assess",
        "nis framework assess --measure burglary-down --measure violence-down",
    ),
)
def assess_command(
    measure: Annotated[
        list[str] | None, typer.Option(help="Only this measure (again for more)")
    ] = None,
) -> None:
    """Assess measures (every one by default) and record the assessments: the three
    risks with their reasons, and the innovation flag where due."""
    try:
        with connected_session() as session:
            done = assessments.assess_measures(session, CLI, measure or None)
    except NisError as exc:
        _fail(exc)
        return
    for a in done:
        r = a["result"]
        flag = " · something new is needed" if r["innovation"]["raised"] else ""
        effective = {True: "shown", False: "not shown", None: "nothing to judge"}[r["effective"]]
        say(
            f"{a['measure']}: speed {r['speed'].get('level') or '–'}, future "
            f"{r['future'].get('level') or '–'}, effectiveness {effective}{flag}"
        )


@framework_cli.command(
    "notify",
    epilog=examples(
        "NIS_SMTP_HOST=mail.example.org nis framework notify",
        "nis framework notify --today 2026-12-01 --no-send",
        "nis framework notify --no-assess",
    ),
)
def notify_command(
    today: Annotated[
        str | None, typer.Option(help="The day to act as of (YYYY-MM-DD); default today")
    ] = None,
    assess: Annotated[bool, typer.Option(help="Assess every measure first")] = True,
    send: Annotated[bool, typer.Option(help="Send what is queued (SMTP, webhooks)")] = True,
) -> None:
    """Queue the reminders and board notifications now due (each once), then send them
    by e-mail (NIS_SMTP_HOST) and signed webhooks, with retries recorded."""
    day = date.fromisoformat(today) if today else None
    smtp = smtp_config_from(connected_settings())
    try:
        with connected_session() as session:
            if assess:
                assessments.assess_measures(session, CLI)
            queued = notify.queue_due(session, day)
            sent = notify.send_pending(session, smtp) if send else {}
    except NisError as exc:
        _fail(exc)
        return
    said = ", ".join(f"{n} {event}" for event, n in sorted(queued.items())) or "nothing new"
    say(f"queued: {said}")
    if send:
        say(f"sent {sent['sent']}, failed {sent['failed']}, waiting for SMTP {sent['waiting']}")
        if sent["waiting"]:
            say("  e-mail waits: set NIS_SMTP_HOST (and NIS_SMTP_PORT, NIS_SMTP_SENDER)")


@framework_cli.command(
    "report",
    epilog=examples(
        "nis framework report health-wellbeing --pdf hwb.pdf",
        "nis framework report city-partnership --at 2026-11-30T18:00 --html then.html",
        "nis framework report city-partnership --issue --pdf issued.pdf",
        "nis framework report city-partnership > report.json",
    ),
)
def report_command(
    board: Annotated[str, typer.Argument(help="The board's code")],
    at: Annotated[
        str | None, typer.Option(help="As it stood at this time (ISO 8601); default now")
    ] = None,
    html: Annotated[Path | None, typer.Option(help="Write the page here")] = None,
    pdf: Annotated[Path | None, typer.Option(help="Write the PDF here")] = None,
    issue: Annotated[bool, typer.Option(help="Issue it: assess and record it")] = False,
) -> None:
    """Write a board's report as HTML and/or PDF (JSON on standard output without
    either); with --at, as it stood then, listing the revisions since."""
    when = datetime.fromisoformat(at) if at else None
    try:
        with connected_session() as session:
            if issue:
                found = report.issue(session, CLI, board)
            else:
                found = report.board_report(session, CLI, board, at=when)
            page = rendering.report_html(found, demo=report.is_demo(session))
        if html:
            html.write_text(page, encoding="utf-8")
            say(f"wrote {html}")
        if pdf:
            pdf.write_bytes(rendering.report_pdf(page))
            say(f"wrote {pdf}")
    except NisError as exc:
        _fail(exc)
        return
    if not html and not pdf:
        typer.echo(json.dumps(found, default=str, indent=1))
