"""The ``nis`` command line: database, boundary import, serving and the demo."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from app.analysis.params import AnalysisParams
from app.areas.importer import ImportReport, ImportRequest, import_areas
from app.cli_base import connected_session as _session
from app.cli_base import connected_settings as _connected_settings
from app.cli_base import examples, say
from app.cli_base import upgrade_database as _upgrade
from app.cluster_access import password_file
from app.db import unit_of_work
from app.errors import NisError
from app.framework.commands import framework_cli
from app.progress import tqdm_progress
from app.settings import Settings, load_settings

cli = typer.Typer(
    help="Neighbourhood Information System: a city partnership's shared evidence base.",
    epilog=examples(
        "nis demo",
        "nis import-areas wards.gpkg --type ward --vintage 2020",
        "nis serve --port 8080",
        "nis user --help",
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_cli = typer.Typer(
    help="The database: migrations and the private PostgreSQL cluster.",
    epilog=examples("nis db upgrade", "nis db url", "nis db stop"),
)
agency_cli = typer.Typer(
    help="Partner agencies.",
    epilog=examples("nis agency create police --title 'South Yorkshire Police'", "nis agency list"),
)
key_cli = typer.Typer(
    help="API keys (sent as Authorization: Bearer KEY).",
    epilog=examples(
        "nis key create --agency police --label 'nightly upload'",
        "nis key list",
        "nis key revoke 1a2b3c4d",
    ),
)
indicators_cli = typer.Typer(
    help="The indicator catalogue.",
    epilog=examples(
        "nis indicators import", "nis indicators import catalogue.csv", "nis indicators list"
    ),
)
user_cli = typer.Typer(
    help=(
        "Officers' local accounts (for partnerships without single sign-on).\n\n"
        "Examples:\n\n"
        "  nis user create jo.bloggs@council.gov.uk --role officer\n\n"
        "  nis user create sam@police.uk --role analyst --agency police --name 'Sam Smith'\n\n"
        "  nis user disable jo.bloggs@council.gov.uk\n\n"
        "  nis user reset sam@police.uk"
    ),
    no_args_is_help=True,
)
cli.add_typer(db_cli, name="db")
cli.add_typer(agency_cli, name="agency")
cli.add_typer(key_cli, name="key")
cli.add_typer(indicators_cli, name="indicators")
cli.add_typer(user_cli, name="user")
cli.add_typer(framework_cli, name="framework")


@db_cli.command(
    "upgrade",
    epilog=examples(
        "nis db upgrade",
        "NIS_DATABASE_URL=postgresql://nis@db.example/nis nis db upgrade",
    ),
)
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


@db_cli.command(
    "url",
    help=_DB_URL_HELP,
    epilog=examples("nis db url", 'psql "$(nis db url)"'),
)
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


@db_cli.command("stop", epilog=examples("nis db stop"))
def db_stop() -> None:
    """Stop the private PostgreSQL cluster, if it is running."""
    from app.cluster import stop_cluster

    settings = load_settings()
    if settings.database_url:
        say("NIS_DATABASE_URL is set: NIS does not manage that server")
        return
    say("stopped" if stop_cluster(settings.data_dir) else "the private cluster was not running")


@cli.command(
    "import-areas",
    epilog=examples(
        "nis import-areas wards.geojson --type ward --vintage 2020",
        "nis import-areas boundaries.gpkg --type lsoa --layer lsoa2021 --parent-type ward",
        "nis import-areas LSOA_2021.zip --type lsoa --code-field LSOA21CD "
        "--name-field LSOA21NM --crs EPSG:27700",
    ),
)
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
    for o in report.overlays:
        say(
            f"  {o.type_code} {o.vintage} does not nest in {o.source_type} {o.source_vintage}: "
            f"overlaid ({o.links} links, shares of {o.source_type} {o.basis}); its values are "
            f"estimated from {o.source_type} values, each with its fit"
        )
    say(
        f"imported {report.count} {report.type_code} areas (vintage {report.vintage}): "
        f"{report.inserted} new, {report.updated} updated; total {report.total_km2:.3f} km2"
    )


@cli.command(
    "import-lookup",
    help=(
        "Import a boundary-change lookup between two vintages of one area type (all or "
        "nothing), so that values uploaded on either vintage are converted into the newest "
        "one for the map and the analysis (unchanged: as is; split: by population share; "
        "merged: summed; redrawn: by the lookup's shares).\n\n"
        "Columns: the two code columns (LSOA11CD, LSOA21CD … or from_code, to_code), the "
        "share of the FROM area's people in the TO area (Prop21of11, or share), optionally "
        "the share of the TO area's people from the FROM area (Prop11of21, or to_share) and "
        "the ONS change class U/S/M/X (Category, CHGIND or change). A national lookup may be "
        "loaded where only a city's areas are: rows with both areas loaded are kept, and "
        "the command says how many were kept and skipped. Re-importing replaces the lookup "
        "of that pair of vintages.\n\n"
        "Examples:\n\n"
        "  nis import-lookup lsoa11_lsoa21_population_weighted_lookup_england.csv.gz\n\n"
        "  nis import-lookup lookup.csv --type lsoa --from-vintage 2011 --to-vintage 2021"
    ),
)
def import_lookup_command(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV, or CSV.gz"),
    ],
    type_: Annotated[
        str | None, typer.Option("--type", help="Area type (default: from the header, lsoa)")
    ] = None,
    from_vintage: Annotated[
        int | None, typer.Option(help="Vintage of the FROM codes (default: from the header)")
    ] = None,
    to_vintage: Annotated[
        int | None, typer.Option(help="Vintage of the TO codes (default: from the header)")
    ] = None,
) -> None:
    from app.areas.lookups import LookupRequest, import_lookup

    request = LookupRequest(file, type_, from_vintage, to_vintage)
    with _session() as session:
        report = import_lookup(session, request, tqdm_progress(min_total=5000))
    for line in report.lines():
        say(f"  {line}")
    say(f"imported the {report.type_code} lookup {report.from_vintage} → {report.to_vintage}")


_IMPORT_POSTCODES_HELP = (
    "Import a postcode directory, so that the map's search finds a postcode's areas (all "
    "or nothing).\n\n"
    "FILE is the ONS Postcode Directory (ONSPD) as the ONS Open Geography Portal publishes "
    "it (the zip, or its CSV from Data/), or any CSV of that layout: a postcode column "
    "(pcds, pcd, pcd7, pcd8), the LSOA codes (lsoa11, lsoa21 or lsoa21cd) and the point "
    "(lat, long), in any case. Other columns are ignored. Re-importing updates postcodes "
    "in place and keeps those the file leaves out.\n\n"
    "Examples:\n\n"
    "  nis import-postcodes ONSPD_FEB_2025.zip\n\n"
    "  nis import-postcodes Data/ONSPD_FEB_2025_UK.csv --source 'ONSPD February 2025'"
)


@cli.command("import-postcodes", help=_IMPORT_POSTCODES_HELP)
def import_postcodes_command(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="ONSPD CSV, or the ONSPD zip"
        ),
    ],
    source: Annotated[
        str | None, typer.Option(help="Where the directory comes from (default: the file name)")
    ] = None,
) -> None:
    from app.areas.postcodes import import_postcodes

    with _session() as session:
        report = import_postcodes(
            session, file, tqdm_progress(min_total=50_000, unit="postcode"), source
        )
    for message in report.messages():
        say(f"  {message}")


@agency_cli.command(
    "create",
    epilog=examples(
        "nis agency create police --title 'South Yorkshire Police'", "nis agency create fire"
    ),
)
def agency_create(
    name: Annotated[str, typer.Argument(help="Short identifier, e.g. police")],
    title: Annotated[str | None, typer.Option(help="Full name")] = None,
) -> None:
    """Create an agency."""
    from app.access.service import create_agency

    with _session() as session:
        create_agency(session, name, title)
    say(f"created agency {name.strip().lower()}")


@agency_cli.command("list", epilog=examples("nis agency list", "nis agency list | cut -f1"))
def agency_list() -> None:
    """List agencies with their indicators and active keys."""
    from app.access.repository import list_agencies

    with _session() as session:
        rows = list_agencies(session)
    for row in rows:
        typer.echo(
            f"{row.name}\t{row.title or ''}\t{row.indicators} indicators\t"
            f"{row.active_keys} active keys"
        )
    _listed(len(rows), "agency", "agencies")


def _listed(count: int, one: str, many: str) -> None:
    """After a list (one line each on standard output, each ending in a newline): how
    many, on standard error, so that an empty list says so rather than nothing."""
    say(f"{count} {one if count == 1 else many}" if count else f"no {many}")


@key_cli.command(
    "create",
    epilog=examples(
        "nis key create --agency police --label 'nightly upload'",
        "nis key create --agency health --scope read --expires-days 90",
        "nis key create --admin --label 'catalogue manager'",
    ),
)
def key_create(
    agency: Annotated[str | None, typer.Option(help="The agency the key acts for")] = None,
    admin: Annotated[bool, typer.Option(help="May manage the catalogue and agencies")] = False,
    scope: Annotated[
        str, typer.Option(help="upload (uploads and reads) or read (reads only)")
    ] = "upload",
    expires_days: Annotated[
        int | None, typer.Option(help="The key stops working after this many days")
    ] = None,
    label: Annotated[str | None, typer.Option(help="A note, e.g. who holds the key")] = None,
) -> None:
    """Make a key and print it (alone on standard output; it is never shown again)."""
    from app.access.service import create_key_as
    from app.access.viewer import CLI

    with _session() as session:
        made = create_key_as(
            session, CLI, agency, admin=admin, label=label, scope=scope,
            expires_in_days=expires_days,
        )  # fmt: skip
    typer.echo(made["key"])
    say("store this key now: only its hash is kept")


@key_cli.command("list", epilog=examples("nis key list", "nis key list | grep -w police"))
def key_list() -> None:
    """List keys (prefix, agency, scope or admin, label, created, last used, state)."""
    from app.access.repository import list_keys

    with _session() as session:
        keys = list_keys(session)
    for k in keys:
        state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
        used = f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never used"
        expiry = f"\texpires {k.expires_at:%Y-%m-%d}" if k.expires_at else ""
        typer.echo(
            f"{k.prefix}\t{k.agency or '-'}\t{'admin' if k.is_admin else k.scope}\t"
            f"{k.label or ''}\t{k.created_at:%Y-%m-%d}\t{used}\t{state}{expiry}"
        )
    _listed(len(keys), "key", "keys")


@key_cli.command("revoke", epilog=examples("nis key revoke 1a2b3c4d"))
def key_revoke(key: Annotated[str, typer.Argument(help="The key or its prefix")]) -> None:
    """Revoke a key: it stops working at once."""
    from app.access.service import revoke_key_as
    from app.access.viewer import CLI

    with _session() as session:
        revoke_key_as(session, CLI, key)
    say("revoked")


def _new_password(password_stdin: bool) -> str:
    """A new password from standard input (one line) or typed twice at a prompt."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_cli.command(
    "create",
    epilog=examples(
        "nis user create jo.bloggs@council.gov.uk --role officer",
        "nis user create sam@police.uk --role analyst --agency police --name 'Sam Smith'",
        "nis user create ops@council.gov.uk --role admin --password-stdin < password.txt",
    ),
)
def user_create(
    username: Annotated[str, typer.Argument(help="The account's name, e.g. an e-mail address")],
    role: Annotated[str, typer.Option(help="officer, analyst or admin")] = "officer",
    agency: Annotated[
        str | None, typer.Option(help="The agency they are of (analysts must have one)")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Their name as the page shows it")] = None,
    email: Annotated[str | None, typer.Option(help="Their e-mail address")] = None,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input, not a prompt")
    ] = False,
) -> None:
    """Make a local account. The password needs 12 characters or more and must not be
    one of the commonest; it is kept as an Argon2id hash."""
    from app.access.users import create_local_user
    from app.access.viewer import CLI

    password = _new_password(password_stdin)
    with _session() as session:
        create_local_user(session, CLI, username, password, role, agency, name, email)
    say(f"created {role} {username.strip().lower()}" + (f" of {agency}" if agency else ""))


@user_cli.command("disable", epilog=examples("nis user disable jo.bloggs@council.gov.uk"))
def user_disable(username: Annotated[str, typer.Argument(help="The account's name")]) -> None:
    """Disable an account: it can no longer sign in, and its sessions end at once."""
    from app.access.users import set_disabled
    from app.access.viewer import CLI

    with _session() as session:
        ended = set_disabled(session, CLI, username, True)
    say(f"disabled {username.strip().lower()}; {ended} session(s) ended")


@user_cli.command("enable", epilog=examples("nis user enable jo.bloggs@council.gov.uk"))
def user_enable(username: Annotated[str, typer.Argument(help="The account's name")]) -> None:
    """Enable a disabled account again."""
    from app.access.users import set_disabled
    from app.access.viewer import CLI

    with _session() as session:
        set_disabled(session, CLI, username, False)
    say(f"enabled {username.strip().lower()}")


@user_cli.command(
    "reset",
    epilog=examples(
        "nis user reset sam@police.uk",
        "nis user reset demo.officer --password-stdin < password.txt",
    ),
)
def user_reset(
    username: Annotated[str, typer.Argument(help="The account's name")],
    password_stdin: Annotated[
        bool, typer.Option(help="Read the new password from standard input, not a prompt")
    ] = False,
) -> None:
    """Give a local account a new password; its sessions end (it signs in again)."""
    from app.access.users import reset_password
    from app.access.viewer import CLI

    password = _new_password(password_stdin)
    with _session() as session:
        ended = reset_password(session, CLI, username, password)
    say(f"new password set for {username.strip().lower()}; {ended} session(s) ended")


@user_cli.command("list", epilog=examples("nis user list", "nis user list | grep -w disabled"))
def user_list() -> None:
    """List accounts (name, role, agency, local or single sign-on, last sign-in, state)."""
    from app.access.users import list_users
    from app.access.viewer import CLI

    with _session() as session:
        users = list_users(session, CLI)
    for u in users:
        last = f"{u['last_sign_in_at']:%Y-%m-%d %H:%M}" if u["last_sign_in_at"] else "never"
        typer.echo(
            f"{u['username']}\t{u['role']}\t{u['agency'] or '-'}\t{u['sign_in']}\t"
            f"{last}\t{'disabled' if u['disabled'] else 'active'}"
        )
    _listed(len(users), "account", "accounts")


@cli.command(
    "audit",
    epilog=examples(
        "nis audit --action read --indicator free_school_meals",
        "nis audit --since 2026-12-01 --csv > audit.csv",
        "nis audit --actor 'user jo' --outcome refused --limit 20",
    ),
)
def audit_command(
    since: Annotated[
        str | None, typer.Option(help="From this time, ISO 8601 (e.g. 2026-12-01)")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Before this time")] = None,
    actor: Annotated[str | None, typer.Option(help="e.g. 'user jo', 'key 1a2b3c4d'")] = None,
    action: Annotated[
        str | None, typer.Option(help="sign-in, read, upload, revert, key.create, user.create...")
    ] = None,
    outcome: Annotated[str | None, typer.Option(help="ok, refused or throttled")] = None,
    indicator: Annotated[str | None, typer.Option(help="Reads of this indicator")] = None,
    channel: Annotated[
        str | None, typer.Option(help="api, map, ogc, tile, download, export, page or cli")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many events")] = 100,
    csv: Annotated[
        bool, typer.Option("--csv", help="CSV (every column) on standard output")
    ] = False,
) -> None:
    """Show the audit trail, newest first: sign-ins, reads of restricted data, uploads,
    reverts, key and account changes."""
    from datetime import datetime

    from app.access.audited import read_trail
    from app.access.viewer import CLI
    from app.audit import service
    from app.audit.repository import AuditFilter

    def when(text: str | None, name: str) -> datetime | None:
        if text is None:
            return None
        try:
            return datetime.fromisoformat(text)
        except ValueError as exc:
            raise NisError(f"--{name}: {text!r} is not an ISO 8601 time") from exc

    f = AuditFilter(
        when(since, "since"), when(until, "until"), actor, action, outcome, indicator, channel,
        None, limit,
    )  # fmt: skip
    with _session() as session:
        found = read_trail(session, CLI, f)
    if csv:
        typer.echo(service.as_csv(found["events"]), nl=False)
        return
    for e in found["events"]:
        what = " ".join(
            str(v) for v in (e["indicator"], e["area_type"], e["period"]) if v is not None
        )
        typer.echo(
            f"{e['at']:%Y-%m-%d %H:%M:%S}\t{e['action']}\t{e['outcome']}\t{e['actor']}\t"
            f"{e['role']}\t{e['channel'] or ''}\t{what}"
        )
    say(f"{len(found['events'])} of {found['total']} event(s)")


@indicators_cli.command(
    "import",
    epilog=examples(
        "nis indicators import",
        "nis indicators import catalogue.csv",
        "nis indicators import catalogue.json",
    ),
)
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


@indicators_cli.command(
    "list", epilog=examples("nis indicators list", "nis indicators list | cut -f1,7")
)
def indicators_list() -> None:
    """List the catalogue."""
    from app.indicators.repository import list_indicators

    with _session() as session:
        found = list_indicators(session)
    for i in found:
        typer.echo(
            f"{i.code}\t{i.agency}\t{i.topic}\t{i.value_type}\t{i.period_type}\t"
            f"{i.visibility}\t{i.title}"
        )
    _listed(len(found), "indicator", "indicators")


events_cli = typer.Typer(
    help="Point events (crimes, fires, casualties).",
    epilog=examples("nis events recount --agency police"),
)
cli.add_typer(events_cli, name="events")


@events_cli.command("recount", epilog=examples("nis events recount --agency police"))
def events_recount(
    agency: Annotated[str, typer.Option(help="The agency whose events to count again")],
) -> None:
    """Count an agency's kept events into the newest boundaries, as a new batch."""
    from app.access.viewer import CLI
    from app.uploads.event_uploads import recount_events

    with _session() as session:
        result = recount_events(session, CLI, agency)
    say(result.message)


@cli.command(
    "analyse",
    epilog=examples(
        "nis analyse",
        "nis analyse --area-type lsoa,ward --q 0.1",
        "nis analyse --area-type msoa --deprivation-groups 10 --min-expected 5",
    ),
)
def analyse(
    area_type: Annotated[
        list[str] | None,
        typer.Option(
            help="Area type to test, each with its own false discovery rate; repeat it or "
            "separate with commas (--area-type lsoa,ward); default the most numerous type "
            "and the first of ward, neighbourhood, msoa"
        ),
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
            area_types=tuple(t.strip() for ts in area_type or [] for t in ts.split(",")),
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
    say(
        f"analysis run {outcome.run_id}: {_kinds(summary['alerts'])} (q <= {params.q}) "
        f"in {outcome.seconds:.1f} s"
    )
    skipped: dict[tuple[str, str], list[str]] = {}
    for code, at in summary["area_types"].items():
        say(
            f"  {code} ({at['areas']} areas): {len(at['tested'])} indicators tested, "
            f"{len(at['skipped'])} not tested; {_kinds(at['alerts'])} in {at['seconds']:.1f} s"
        )
        for indicator, why in at["skipped"].items():
            skipped.setdefault((indicator, why), []).append(code)
    for (indicator, why), codes in sorted(skipped.items()):
        where = "" if len(codes) == len(summary["area_types"]) else f" (at {', '.join(codes)})"
        say(f"  not tested: {indicator}: {why}{where}")


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no alerts"


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


@cli.command(
    "demo",
    epilog=examples(
        "nis demo",
        "nis demo --no-serve",
        "nis demo --port 8080 --no-wards",
        "nis demo --city Leeds --reload",
    ),
)
def demo(
    city: Annotated[
        str, typer.Option(help="Local authority whose LSOAs make the demo")
    ] = "Sheffield",
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    serve_: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve after loading")] = True,
    reload: Annotated[bool, typer.Option(help="Load the demo again even if present")] = False,
    wards: Annotated[
        bool,
        typer.Option(
            help="Also Sheffield's real 28 wards and 7 local area committees, with values "
            "estimated from the LSOAs"
        ),
    ] = True,
) -> None:
    """Load a demo city (real ONS LSOA boundaries, labelled DEMO) and serve it."""
    from app.demo import (
        ensure_demo_officer,
        ensure_demo_patch,
        load_demo,
        load_demo_indicators,
        load_demo_wards,
    )
    from app.settings import local_sign_in

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
    # After the indicators, so that the overlays weigh the LSOAs by their populations.
    if wards:
        load_demo_wards(
            settings.database_url,
            city,
            reload=reload,
            run_import=lambda r: _run_import(settings, r),
            say=say,
        )
    if local_sign_in(settings):
        ensure_demo_officer(settings.database_url, say=say)
    ensure_demo_patch(settings.database_url, say=say)
    from app.analysis.params import analysis_params
    from app.analysis.service import analysis_is_stale

    with _session() as session:
        stale = analysis_is_stale(session)
    if stale:
        _analyse(analysis_params(settings))
    from app.demo_framework import load_demo_framework

    load_demo_framework(settings.database_url, say=say)
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
