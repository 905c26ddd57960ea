"""A private PostgreSQL + PostGIS cluster for users who have no database server.

When ``NIS_DATABASE_URL`` is unset, NIS keeps a cluster of its own for ``data_dir``
(``.nis/`` by default): ``initdb`` on first use, ``pg_ctl start`` on demand, TCP on
127.0.0.1 only (no Unix socket), a port chosen once and remembered, and a password for
every connection (:mod:`app.cluster_access`).

PostgreSQL refuses to run as root, so under root the server runs as the ``postgres``
system user that Debian's packages create. When that user cannot reach ``data_dir``
(a private home folder, say), the cluster lives under its home instead, and
``data_dir/pgdata-location`` says where.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from app.cluster_access import (
    HBA,
    HOST,
    SUPERUSER,
    conninfo,
    password_for,
    secure,
    write_private,
)
from app.errors import DatabaseUnavailableError
from app.settings import Settings

DATABASE = "nis"
_PG_ROOT = Path("/usr/lib/postgresql")
_EXTENSION_ROOT = Path("/usr/share/postgresql")
_POINTER = "pgdata-location"


@dataclass(frozen=True)
class LocalCluster:
    """Where the private cluster lives and how to reach it."""

    pgdata: Path
    bin_dir: Path
    port: int
    password: str = field(repr=False)

    @property
    def log_file(self) -> Path:
        return _log_file(self.pgdata)

    def url(self, database: str = DATABASE) -> str:
        """A URL with the password in it (URL-safe characters only): for its owner."""
        return f"postgresql://{SUPERUSER}:{self.password}@{HOST}:{self.port}/{database}"


def _log_file(pgdata: Path) -> Path:
    return pgdata.parent / "postgresql.log"


def find_postgres_bin() -> Path:
    """The newest installed PostgreSQL whose PostGIS extension is installed too."""
    candidates = []
    if _PG_ROOT.is_dir():
        for entry in _PG_ROOT.iterdir():
            if not re.fullmatch(r"\d+", entry.name) or not (entry / "bin" / "initdb").exists():
                continue
            has_postgis = (_EXTENSION_ROOT / entry.name / "extension" / "postgis.control").exists()
            candidates.append((has_postgis, int(entry.name), entry / "bin"))
    if not candidates:
        raise DatabaseUnavailableError(
            "PostgreSQL is not installed. Run `make setup` (it installs Debian's postgresql and "
            "postgis packages) or set NIS_DATABASE_URL to a PostGIS server."
        )
    has_postgis, version, bin_dir = max(candidates)
    if not has_postgis:
        raise DatabaseUnavailableError(
            f"PostgreSQL {version} is installed without PostGIS. Install "
            f"postgresql-{version}-postgis-3 (or run `make setup`)."
        )
    return bin_dir


def _as_root() -> bool:
    return os.geteuid() == 0


def _run_as() -> list[str]:
    """Prefix that drops root privileges for PostgreSQL's own programs."""
    if not _as_root():
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise DatabaseUnavailableError(
            "PostgreSQL refuses to run as root and there is no 'postgres' user to run it as. "
            "Install Debian's postgresql package or run NIS as an ordinary user."
        ) from exc
    return ["runuser", "-u", "postgres", "--"]


def _run(cmd: Sequence[str], what: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*_run_as(), *cmd], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise DatabaseUnavailableError(f"Could not {what}: {detail}")
    return result


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    # Two `nis` processes (say `nis serve` and pytest) may start the cluster at once.
    with (data_dir / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pgdata_for(data_dir: Path) -> Path:
    """Where the cluster of ``data_dir`` is, or is to be, kept."""
    pointer = data_dir / _POINTER
    if pointer.exists():
        return Path(pointer.read_text().strip())
    return data_dir / "pgdata"


def _postgres_can_reach(folder: Path) -> bool:
    return (
        subprocess.run(
            [*_run_as(), "test", "-w", str(folder)], capture_output=True, check=False
        ).returncode
        == 0
    )


def _prepare_pgdata(data_dir: Path) -> Path:
    """Make an empty, correctly owned folder for initdb."""
    pgdata = data_dir / "pgdata"
    if not _as_root():
        pgdata.mkdir(mode=0o700)
        return pgdata
    shutil.chown(data_dir, "postgres", "postgres")
    data_dir.chmod(0o755)
    if _postgres_can_reach(data_dir):
        pgdata.mkdir(mode=0o700)
        shutil.chown(pgdata, "postgres", "postgres")
        return pgdata
    # A parent folder is private to root: keep the cluster where postgres can reach it.
    home = Path(pwd.getpwnam("postgres").pw_dir)
    digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:12]
    pgdata = home / "nis-clusters" / digest / "pgdata"
    if pgdata.exists():
        shutil.rmtree(pgdata)
    pgdata.mkdir(mode=0o700, parents=True)
    for folder in (pgdata, pgdata.parent, pgdata.parent.parent):
        shutil.chown(folder, "postgres", "postgres")
    (data_dir / _POINTER).write_text(f"{pgdata}\n")
    return pgdata


def _initdb(data_dir: Path, bin_dir: Path) -> Path:
    pgdata = _prepare_pgdata(data_dir)
    password = password_for(data_dir)
    with tempfile.TemporaryDirectory(prefix="nis-initdb-") as tmp:
        # initdb reads the password from a file; under root it runs as postgres.
        pwfile = Path(tmp) / "password"
        write_private(pwfile, password + "\n")
        if _as_root():
            for path in (Path(tmp), pwfile):
                shutil.chown(path, "postgres", "postgres")
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(pgdata),
                "-U",
                SUPERUSER,
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            "create the private PostgreSQL cluster",
        )
    write_private(pgdata / "pg_hba.conf", HBA, like=pgdata)
    settings = {
        "port": str(_free_port()),
        "listen_addresses": f"'{HOST}'",
        "unix_socket_directories": "''",
    }
    with (pgdata / "postgresql.auto.conf").open("a") as conf:
        for key, value in settings.items():
            conf.write(f"{key} = {value}\n")
    return pgdata


def _read_port(pgdata: Path) -> int:
    conf = (pgdata / "postgresql.auto.conf").read_text()
    match = re.search(r"^port\s*=\s*'?(\d+)", conf, re.MULTILINE)
    if not match:
        raise DatabaseUnavailableError(f"No port is configured in {pgdata}/postgresql.auto.conf")
    return int(match.group(1))


def _postmaster_up(bin_dir: Path, pgdata: Path) -> bool:
    result = subprocess.run(
        [*_run_as(), str(bin_dir / "pg_ctl"), "status", "-D", str(pgdata)],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0


def is_running(cluster: LocalCluster) -> bool:
    """Whether the cluster's postmaster is up (``pg_ctl status``)."""
    return _postmaster_up(cluster.bin_dir, cluster.pgdata)


def ensure_cluster(data_dir: Path) -> tuple[LocalCluster, list[str]]:
    """Create and start the private cluster as needed.

    Returns the cluster and what was done, for the caller to tell the user.
    """
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    bin_dir = find_postgres_bin()
    done: list[str] = []
    with _locked(data_dir):
        pgdata = _pgdata_for(data_dir)
        if not (pgdata / "PG_VERSION").exists():
            if pgdata.exists():
                shutil.rmtree(pgdata)  # a half-made cluster from an interrupted initdb
            (data_dir / _POINTER).unlink(missing_ok=True)
            pgdata = _initdb(data_dir, bin_dir)
            done.append(f"created a private PostgreSQL cluster in {pgdata}")
        port = _read_port(pgdata)
        if not _postmaster_up(bin_dir, pgdata):
            log_file = _log_file(pgdata)
            _run(
                [
                    str(bin_dir / "pg_ctl"),
                    "start",
                    "-w",
                    "-t",
                    "60",
                    "-D",
                    str(pgdata),
                    "-l",
                    str(log_file),
                ],
                f"start PostgreSQL (see {log_file})",
            )
            done.append(f"started PostgreSQL on {HOST}:{port} (data in {pgdata})")
        password, secured = secure(data_dir, pgdata, port)
        done += secured
        cluster = LocalCluster(pgdata, bin_dir, port, password)
        _ensure_database(cluster)
    return cluster, done


def _ensure_database(cluster: LocalCluster) -> None:
    with psycopg.connect(conninfo(cluster.port, cluster.password), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
        if exists.fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))


def stop_cluster(data_dir: Path) -> bool:
    """Stop the private cluster; False when it was not running."""
    pgdata = _pgdata_for(data_dir.resolve())
    if not (pgdata / "PG_VERSION").exists():
        return False
    bin_dir = find_postgres_bin()
    if not _postmaster_up(bin_dir, pgdata):
        return False
    _run(
        [str(bin_dir / "pg_ctl"), "stop", "-m", "fast", "-D", str(pgdata)],
        "stop PostgreSQL",
    )
    return True


def resolve_database_url(settings: Settings, say: Callable[[str], None] | None = None) -> str:
    """The configured server (``NIS_DATABASE_URL``), or the private cluster in
    ``settings.data_dir``, created and started on demand. The command line (and the
    tests and benchmarks) call this; an app is always handed its URL."""
    if settings.database_url:
        return settings.database_url
    cluster, done = ensure_cluster(settings.data_dir)
    if say:
        for line in done:
            say(line)
    return cluster.url()
