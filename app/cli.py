"""The ``nis`` command line: database, boundary import, serving and the demo."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.analysis.params import AnalysisParams
from app.areas.importer import ImportReport, ImportRequest, import_areas
from app.cluster import resolve_database_url
from app.cluster_access import password_file
from app.db import unit_of_work
from app.errors import NisError
from app.progress import tqdm_progress
from app.settings import Settings, load_settings

cli = typer.Typer(
    help="Neighbourhood Information System: a city partnership's shared evidence base.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_cli = typer.Typer(help="The database: migrations and the private PostgreSQL cluster.")
agency_cli = typer.Typer(help="Partner agencies.")
key_cli = typer.Typer(help="API keys (sent as Authorization: Bearer KEY).")
indicators_cli = typer.Typer(help="The indicator catalogue.")
cli.add_typer(db_cli, name="db")
cli.add_typer(agency_cli, name="agency")
cli.add_typer(key_cli, name="key")
cli.add_typer(indicators_cli, name="indicators")


def say(message: str) -> None:
    """Tell the user something (standard error, so standard output stays for data)."""
    typer.echo(message, err=True)


def _connected_settings() -> Settings:
    """Settings with a database URL, starting the private cluster when none is set."""
    settings = load_settings()
    url = resolve_database_url(settings, say=say)
    if not settings.database_url:
        shown = make_url(url).render_as_string(hide_password=True)
        say(
            f"database: private cluster at {shown} (data in {settings.data_dir.resolve()}, "
            f"password in {password_file(settings.data_dir)})"
        )
    return settings.model_copy(update={"database_url": url})


def _upgrade(settings: Settings) -> None:
    from app.migrate import upgrade

    assert settings.database_url is not None
    upgrade(settings.database_url)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration (the first enables PostGIS)."""
    settings = _connected_settings()
    _upgrade(settings)
    say("database schema is up to date")


_DB_URL_HELP = (
    "Print the database URL (starting the private cluster if needed).\n\n"
    "The private cluster's URL holds its password, so it is for you alone. psql and QGIS can "
    "read the password from the pgpass file NIS keeps instead (.nis/pgpass, mode 0600):\n\n"
    "PGPASSFILE=.nis/pgpass psql -h 127.0.0.1 -p PORT -U nis nis\n\n"
    "In QGIS: a PostgreSQL connection to host 127.0.0.1, port PORT, database nis, user nis, "
    "with QGIS started with PGPASSFILE set (or the password from the URL in its "
    "authentication store). The command prints the port on standard error."
)


@db_cli.command("url", help=_DB_URL_HELP)
def db_url() -> None:
    private = not load_settings().database_url
    settings = _connected_settings()
    assert settings.database_url is not None
    typer.echo(settings.database_url)
    if private:
        port = make_url(settings.database_url).port
        pgpass = password_file(settings.data_dir)
        say(
            f"the URL holds the password; psql and QGIS can read it from {pgpass} instead: "
            f"PGPASSFILE={pgpass} psql -h 127.0.0.1 -p {port} -U nis nis"
        )


@db_cli.command("stop")
def db_stop() -> None:
    """Stop the private PostgreSQL cluster, if it is running."""
    from app.cluster import stop_cluster

    settings = load_settings()
    if settings.database_url:
        say("NIS_DATABASE_URL is set: NIS does not manage that server")
        return
    say("stopped" if stop_cluster(settings.data_dir) else "the private cluster was not running")


@cli.command("import-areas")
def import_areas_command(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="GeoJSON, GeoPackage or (zipped) Shapefile",
        ),
    ],
    type_: Annotated[str, typer.Option("--type", help="Area type code, e.g. lsoa, ward")],
    layer: Annotated[str | None, typer.Option(help="Layer of a multi-layer file")] = None,
    code_field: Annotated[str | None, typer.Option(help="Field holding the area code")] = None,
    name_field: Annotated[str | None, typer.Option(help="Field holding the area name")] = None,
    vintage: Annotated[int | None, typer.Option(help="Boundary vintage, e.g. 2021")] = None,
    parent_type: Annotated[str | None, typer.Option(help="Area type of the parents")] = None,
    lookup: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="CSV mapping child codes to parent codes"),
    ] = None,
    crs: Annotated[
        str | None, typer.Option(help="CRS of a file that does not state one, e.g. EPSG:27700")
    ] = None,
    population_field: Annotated[
        str | None, typer.Option(help="Field holding each area's population, if any")
    ] = None,
    type_name: Annotated[str | None, typer.Option(help="Display name of a new area type")] = None,
    source: Annotated[
        str | None, typer.Option(help="Where the boundaries come from (default: the file name)")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Accept repairs that change an area by > 0.1%")
    ] = False,
) -> None:
    """Import boundaries as areas of one type (all or nothing)."""
    settings = _connected_settings()
    _upgrade(settings)
    request = ImportRequest(
        path=file,
        type_code=type_,
        layer=layer,
        code_field=code_field,
        name_field=name_field,
        vintage=vintage,
        parent_type=parent_type,
        lookup=lookup,
        source_crs=crs,
        population_field=population_field,
        type_name=type_name,
        source=source,
        force=force,
    )
    _run_import(settings, request)


def _run_import(settings: Settings, request: ImportRequest) -> ImportReport:
    assert settings.database_url is not None
    with unit_of_work(settings.database_url) as session:
        report = import_areas(session, request, tqdm_progress(min_total=200))
    print_report(report)
    return report


def print_report(report: ImportReport) -> None:
    for message in report.messages:
        say(f"  {message}")
    for repair in report.repairs:
        say(f"  {repair.describe()}")
    if report.kept_absent:
        shown = ", ".join(report.kept_absent[:10])
        more = f" and {len(report.kept_absent) - 10} more" if len(report.kept_absent) > 10 else ""
        say(
            f"  {len(report.kept_absent)} {report.type_code} areas of vintage {report.vintage} "
            f"are not in this file and were kept: {shown}{more}"
        )
    parents = report.parents
    if parents is not None:
        say(
            f"  parents ({parents.method}): {parents.assigned} assigned to "
            f"{parents.parent_type} {parents.parent_vintage}"
        )
        for message in parents.messages:
            say(f"    {message}")
        for s in parents.straddlers:
            second = (
                f", {s.runner_up_share:.1%} in {s.runner_up}"
                if s.runner_up is not None and s.runner_up_share is not None
                else ""
            )
            say(f"    {s.code} straddles: {s.share or 0:.1%} in {s.parent}{second}")
        if parents.orphans:
            say(
                f"    no parent found for {len(parents.orphans)}: {', '.join(parents.orphans[:10])}"
            )
    say(
        f"imported {report.count} {report.type_code} areas (vintage {report.vintage}): "
        f"{report.inserted} new, {report.updated} updated; total {report.total_km2:.3f} km2"
    )


@contextmanager
def _session() -> Iterator[Session]:
    """A migrated database and one unit of work on it."""
    settings = _connected_settings()
    _upgrade(settings)
    assert settings.database_url is not None
    with unit_of_work(settings.database_url) as session:
        yield session


@agency_cli.command("create")
def agency_create(
    name: Annotated[str, typer.Argument(help="Short identifier, e.g. police")],
    title: Annotated[str | None, typer.Option(help="Full name")] = None,
) -> None:
    """Create an agency."""
    from app.access.service import create_agency

    with _session() as session:
        create_agency(session, name, title)
    say(f"created agency {name.strip().lower()}")


@agency_cli.command("list")
def agency_list() -> None:
    """List agencies with their indicators and active keys."""
    from app.access.repository import list_agencies

    with _session() as session:
        for row in list_agencies(session):
            typer.echo(
                f"{row.name}\t{row.title or ''}\t{row.indicators} indicators\t"
                f"{row.active_keys} active keys"
            )


@key_cli.command("create")
def key_create(
    agency: Annotated[str | None, typer.Option(help="The agency the key writes for")] = None,
    admin: Annotated[bool, typer.Option(help="May manage the catalogue and agencies")] = False,
    label: Annotated[str | None, typer.Option(help="A note, e.g. who holds the key")] = None,
) -> None:
    """Make a key and print it (alone on standard output; it is never shown again)."""
    from app.access.service import create_key

    with _session() as session:
        key = create_key(session, agency, admin=admin, label=label)
    typer.echo(key)
    say("store this key now: only its hash is kept")


@key_cli.command("list")
def key_list() -> None:
    """List keys (prefix, agency, admin, label, created, last used, revoked)."""
    from app.access.repository import list_keys

    with _session() as session:
        for k in list_keys(session):
            state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
            used = f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never used"
            typer.echo(
                f"{k.prefix}\t{k.agency or '-'}\t{'admin' if k.is_admin else ''}\t"
                f"{k.label or ''}\t{k.created_at:%Y-%m-%d}\t{used}\t{state}"
            )


@key_cli.command("revoke")
def key_revoke(key: Annotated[str, typer.Argument(help="The key or its prefix")]) -> None:
    """Revoke a key: it stops working at once."""
    from app.access.service import revoke_key

    with _session() as session:
        revoke_key(session, key)
    say("revoked")


@indicators_cli.command("import")
def indicators_import(
    file: Annotated[
        Path | None,
        typer.Argument(
            exists=True, dir_okay=False, help="CSV or JSON; default: the shipped catalogue"
        ),
    ] = None,
) -> None:
    """Create or update indicators from a catalogue file (all or nothing)."""
    from app.access.viewer import CLI
    from app.indicators.catalogue import default_catalogue
    from app.indicators.service import import_catalogue, parse_catalogue

    with _session() as session:
        if file is None:
            specs = default_catalogue()
        else:
            content_type = "application/json" if file.suffix.lower() == ".json" else "text/csv"
            specs = parse_catalogue(session, file.read_bytes(), content_type)
        result = import_catalogue(session, CLI, specs)
    if result.new_agencies:
        say(f"created agencies: {', '.join(result.new_agencies)}")
    say(f"{len(result.created)} indicators created, {len(result.updated)} updated")


@indicators_cli.command("list")
def indicators_list() -> None:
    """List the catalogue."""
    from app.indicators.repository import list_indicators

    with _session() as session:
        for i in list_indicators(session):
            typer.echo(
                f"{i.code}\t{i.agency}\t{i.topic}\t{i.value_type}\t{i.period_type}\t"
                f"{i.visibility}\t{i.title}"
            )


events_cli = typer.Typer(help="Point events (crimes, fires, casualties).")
cli.add_typer(events_cli, name="events")


@events_cli.command("recount")
def events_recount(
    agency: Annotated[str, typer.Option(help="The agency whose events to count again")],
) -> None:
    """Count an agency's kept events into the newest boundaries, as a new batch."""
    from app.access.viewer import CLI
    from app.uploads.event_uploads import recount_events

    with _session() as session:
        result = recount_events(session, CLI, agency)
    say(result.message)


@cli.command("analyse")
def analyse(
    area_type: Annotated[
        str | None, typer.Option(help="Area type to test; default the most numerous")
    ] = None,
    q: Annotated[float, typer.Option(help="False discovery rate")] = 0.05,
    deprivation_groups: Annotated[
        int, typer.Option(help="5 (quintiles) or 10 (deciles) for the gap")
    ] = 5,
    min_expected: Annotated[
        float, typer.Option(help="No deterioration test below this many expected events")
    ] = 10.0,
) -> None:
    """Run the analysis now: deterioration, correlated deterioration, hotspots and gaps."""
    _analyse(
        AnalysisParams(
            area_type=area_type,
            q=q,
            deprivation_groups=deprivation_groups,
            min_expected=min_expected,
        )
    )


def _analyse(params: AnalysisParams) -> None:
    from app.access.viewer import CLI
    from app.analysis.service import get_run, run_analysis

    say("analysing: deterioration, correlated deterioration, hotspots and gaps ...")
    with _session() as session:
        outcome = run_analysis(session, params, trigger="cli", actor="cli")
        run = get_run(session, CLI, outcome.run_id)
    summary = run["summary"]
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(summary["alerts"].items())) or "no alerts"
    say(
        f"analysis run {outcome.run_id}: {len(summary['tested'])} indicators tested at "
        f"{run['params']['area_type']}, {len(summary['skipped'])} not tested; {kinds} "
        f"(q <= {params.q}) in {outcome.seconds:.1f} s"
    )
    for code, why in sorted(summary["skipped"].items()):
        say(f"  not tested: {code}: {why}")


@cli.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    web_workers: Annotated[
        int, typer.Option(min=1, help="Web server processes (uvicorn workers)")
    ] = 1,
    analysis_workers: Annotated[
        int | None,
        typer.Option(
            min=0, help="Analysis worker processes to start beside it (NIS_ANALYSIS_WORKERS)"
        ),
    ] = None,
) -> None:
    """Serve the API and web page, with an analysis worker process beside it.

    The analyses that uploads ask for run in their own process (`nis worker`),
    never in a web server's; `--analysis-workers 0` starts none (then run
    `nis worker` yourself, here or on another machine on the same database).
    The workers stop when the server stops.

    Examples:

        nis serve --port 8080

        nis serve --web-workers 4 --analysis-workers 2

        nis serve --analysis-workers 0 & nis worker
    """
    settings = _connected_settings()
    _upgrade(settings)
    if analysis_workers is not None:
        settings = settings.model_copy(update={"analysis_workers": analysis_workers})
    _serve(settings, host, port, web_workers)


def _serve(settings: Settings, host: str | None, port: int | None, web_workers: int = 1) -> None:
    from app.serving import serve as serve_processes

    serve_processes(
        settings, host or settings.host, port or settings.port, web_workers=web_workers, say=say
    )


@cli.command("worker")
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Serve what is pending now, then exit")
    ] = False,
    parent: Annotated[
        int | None,
        typer.Option(hidden=True, help="Stop when this process (nis serve) ends"),
    ] = None,
) -> None:
    """Run the analyses that uploads ask for (the analysis worker).

    Uploads that change data queue a request in PostgreSQL. The worker waits
    for uploads to go quiet (NIS_ANALYSIS_QUIET_S), then serves every pending
    request with one run. Run as many as you like, on any machine that
    reaches the database: they take turns on a lock in PostgreSQL, so no
    analysis runs twice. A run that fails is recorded as failed (see
    GET /api/analysis/runs); one whose worker dies is run again by the next
    worker. SIGTERM or Ctrl-C stops a worker after the run in progress.
    `nis serve` starts one by itself (NIS_ANALYSIS_WORKERS).

    Examples:

        nis worker

        NIS_DATABASE_URL=postgresql://nis@db.example/nis nis worker

        nis worker --once
    """
    from app.serving import run_worker

    settings = _connected_settings()
    _upgrade(settings)
    run_worker(settings, once=once, parent=parent, say=say)


@cli.command("demo")
def demo(
    city: Annotated[
        str, typer.Option(help="Local authority whose LSOAs make the demo")
    ] = "Sheffield",
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    serve_: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve after loading")] = True,
    reload: Annotated[bool, typer.Option(help="Load the demo again even if present")] = False,
) -> None:
    """Load a demo city (real ONS LSOA boundaries, labelled DEMO) and serve it."""
    from app.demo import load_demo, load_demo_indicators

    settings = _connected_settings()
    _upgrade(settings)
    assert settings.database_url is not None
    load_demo(
        settings.database_url,
        city,
        reload=reload,
        run_import=lambda r: _run_import(settings, r),
        say=say,
    )
    load_demo_indicators(settings.database_url, say=say)
    from app.analysis.params import analysis_params
    from app.analysis.service import analysis_is_stale

    with _session() as session:
        stale = analysis_is_stale(session)
    if stale:
        _analyse(analysis_params(settings))
    if serve_:
        _serve(settings, host, port)


def main() -> None:
    """Entry point of the ``nis`` console script: domain errors become a clear message."""
    try:
        cli()
    except NisError as exc:
        say(f"error: {exc.message}")
        for item in exc.errors[:50]:
            say("  - " + ", ".join(f"{k}={v}" for k, v in item.items() if v is not None))
        if len(exc.errors) > 50:
            say(f"  ... and {len(exc.errors) - 50} more")
        sys.exit(2)


if __name__ == "__main__":
    main()
