"""The ``nis`` command line: database, boundary import, serving and the demo."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from app.areas.importer import ImportReport, ImportRequest, import_areas
from app.db import make_engine, make_sessionmaker, resolve_database_url, session_scope
from app.errors import NisError
from app.progress import tqdm_progress
from app.settings import Settings, load_settings

cli = typer.Typer(
    help="Neighbourhood Information System: a city partnership's shared evidence base.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_cli = typer.Typer(help="The database: migrations and the private PostgreSQL cluster.")
cli.add_typer(db_cli, name="db")


def say(message: str) -> None:
    """Tell the user something (standard error, so standard output stays for data)."""
    typer.echo(message, err=True)


def _connected_settings() -> Settings:
    """Settings with a database URL, starting the private cluster when none is set."""
    settings = load_settings()
    url = resolve_database_url(settings, say=say)
    if not settings.database_url:
        say(f"database: private cluster at {url} (data in {settings.data_dir.resolve()})")
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


@db_cli.command("url")
def db_url() -> None:
    """Print the database URL (starting the private cluster if needed)."""
    typer.echo(_connected_settings().database_url)


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
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            report = import_areas(session, request, tqdm_progress(min_total=200))
    finally:
        engine.dispose()
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


@cli.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
) -> None:
    """Serve the API and web page."""
    settings = _connected_settings()
    _upgrade(settings)
    _serve(settings, host, port)


def _serve(settings: Settings, host: str | None, port: int | None) -> None:
    import uvicorn

    from app.main import create_app

    host = host or settings.host
    port = port or settings.port
    say(f"serving NIS at http://{host}:{port}/  (API at /api, OpenAPI at /docs)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


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
    from app.demo import load_demo

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
