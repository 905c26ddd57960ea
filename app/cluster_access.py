"""Who may connect to the private cluster, and how.

Over TCP on 127.0.0.1 (no Unix socket), as the superuser ``nis``, proving a password
(scram-sha-256): any local account can reach 127.0.0.1, and a superuser can read key
hashes or run ``COPY ... TO PROGRAM`` as the server's OS user. The password is generated
once and kept in ``data_dir/pgpass``, mode 0600 and owned by whoever runs NIS, in libpq's
pgpass format, so that ``PGPASSFILE=.nis/pgpass psql ...`` and QGIS read it too. A cluster
made before passwords (trust authentication) gets one in place (:func:`secure`).
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from app.errors import DatabaseUnavailableError

SUPERUSER = "nis"
_PASSWORD_FILE = "pgpass"
# A pgpass file that cannot exist (libpq warns about /dev/null itself: "not a plain file").
NO_PASSFILE = os.path.join(os.devnull, "none")
HOST = "127.0.0.1"
# The whole of the cluster's pg_hba.conf: a password over 127.0.0.1, nothing else.
HBA = """\
# Written by NIS (app/cluster.py). The server listens on 127.0.0.1 only and has no Unix
# socket; every connection proves the password kept in NIS's pgpass file (mode 0600).
# TYPE  DATABASE  USER  ADDRESS       METHOD
host    all       all   127.0.0.1/32  scram-sha-256
"""


def password_file(data_dir: Path) -> Path:
    """The cluster's password, as a pgpass line (``127.0.0.1:*:*:nis:PASSWORD``), mode 0600."""
    return data_dir.resolve() / _PASSWORD_FILE


def write_private(path: Path, text: str, like: Path | None = None) -> None:
    """Replace ``path`` at once by a file only its owner may read (the owner of ``like``,
    when given: root writes the server's own files for ``postgres``)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    if like is not None:
        owner = like.stat()
        os.chown(tmp, owner.st_uid, owner.st_gid)
    os.replace(tmp, path)


def _write_password(data_dir: Path, password: str) -> None:
    write_private(password_file(data_dir), f"{HOST}:*:*:{SUPERUSER}:{password}\n")


def read_password(data_dir: Path) -> str | None:
    """The password kept for the cluster of ``data_dir``; None when no file keeps one."""
    path = password_file(data_dir)
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        return None
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # libpq ignores a pgpass file that others may read
    for line in lines:
        fields = line.split(":")
        if len(fields) == 5 and fields[3] == SUPERUSER and fields[4]:
            return fields[4]
    raise DatabaseUnavailableError(f"{path} holds no password for {SUPERUSER!r}")


def password_for(data_dir: Path) -> str:
    """The kept password, or a new one, kept before any cluster uses it."""
    password = read_password(data_dir)
    if password is None:
        password = secrets.token_urlsafe(32)  # no ':' or '\\': safe in pgpass and URLs
        _write_password(data_dir, password)
    return password


def _trusts(hba: str) -> bool:
    """Whether a pg_hba.conf lets anyone in without a password."""
    rules = (line.split("#", 1)[0].split() for line in hba.splitlines())
    return any("trust" in rule for rule in rules)


def secure(data_dir: Path, pgdata: Path, port: int) -> tuple[str, list[str]]:
    """The running cluster's password; a cluster made before passwords (trust
    authentication) gets one now, and then stops trusting anyone."""
    password = read_password(data_dir)
    hba = pgdata / "pg_hba.conf"
    if not _trusts(hba.read_text()):
        if password is None:
            raise DatabaseUnavailableError(
                f"The private cluster in {pgdata} asks for a password, and "
                f"{password_file(data_dir)}, which kept it, is missing. Put the file back, or "
                f"run `nis db stop` and delete {data_dir} to start afresh (its data is lost)."
            )
        return password, []
    password = password_for(data_dir)
    # Trust still lets us in: set the password first, then stop trusting.
    with psycopg.connect(conninfo(port, password=None), autocommit=True) as conn:
        verifier = conn.pgconn.encrypt_password(
            password.encode(), SUPERUSER.encode(), b"scram-sha-256"
        )  # hashed here, so that no log of the statement holds the password itself
        conn.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(SUPERUSER), sql.Literal(verifier.decode())
            )
        )
        write_private(hba, HBA, like=pgdata)
        conn.execute("SELECT pg_reload_conf()")
    _await_refusal(port)
    return password, [
        f"secured the private cluster: trust authentication replaced by a password "
        f"(scram-sha-256), kept in {password_file(data_dir)}"
    ]


def conninfo(port: int, password: str | None, database: str = "postgres") -> str:
    """libpq's connection string for the cluster on ``port``; with no password, one
    that never falls back on the user's own ``~/.pgpass`` or ``PGPASSWORD``."""
    extra = {"password": password} if password else {"passfile": NO_PASSFILE, "password": ""}
    return str(
        make_conninfo(
            host=HOST, port=port, user=SUPERUSER, dbname=database, connect_timeout=10, **extra
        )
    )


def _await_refusal(port: int, timeout_s: float = 10) -> None:
    """Wait until the server, reloading its pg_hba.conf, refuses a connection with no
    password (the postmaster rereads it asynchronously)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            psycopg.connect(conninfo(port, password=None)).close()
        except psycopg.OperationalError:
            return
        time.sleep(0.05)
    raise DatabaseUnavailableError(
        f"the private cluster on {HOST}:{port} still lets anyone in without a password"
    )
