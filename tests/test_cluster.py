"""The private PostgreSQL cluster that NIS runs when no NIS_DATABASE_URL is set."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from app.cluster import (
    LocalCluster,
    _free_port,
    _prepare_pgdata,
    _run,
    ensure_cluster,
    find_postgres_bin,
    is_running,
    stop_cluster,
)
from app.cluster_access import NO_PASSFILE, password_file

NIS = str(Path(sys.executable).with_name("nis"))
REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def open_data_dir() -> Iterator[Path]:
    """A data folder that any user can reach (as a project checkout usually is)."""
    folder = Path(tempfile.mkdtemp(prefix="nis-cluster-"))
    folder.chmod(0o755)
    yield folder / ".nis"
    stop_cluster(folder / ".nis")
    shutil.rmtree(folder, ignore_errors=True)


def postgis_version(cluster: LocalCluster) -> str:
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        row = conn.execute("SELECT postgis_lib_version()").fetchone()
    assert row is not None
    return str(row[0])


def test_cluster_is_created_started_and_says_where(open_data_dir: Path) -> None:
    cluster, done = ensure_cluster(open_data_dir)
    assert cluster.pgdata == open_data_dir.resolve() / "pgdata"
    assert [line.split()[0] for line in done] == ["created", "started"]
    assert str(cluster.pgdata) in done[0]
    assert postgis_version(cluster).startswith("3.")


def test_a_running_cluster_is_reused_and_a_stopped_one_restarted(open_data_dir: Path) -> None:
    first, _ = ensure_cluster(open_data_dir)
    again, done = ensure_cluster(open_data_dir)
    assert (again, done) == (first, [])
    assert stop_cluster(open_data_dir) is True
    assert not is_running(first)
    restarted, done = ensure_cluster(open_data_dir)
    assert restarted.port == first.port
    assert [line.split()[0] for line in done] == ["started"]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs the server as another user")
def test_root_keeps_the_cluster_where_postgres_can_reach_it(tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    (tmp_path).chmod(0o700)
    data_dir = private / ".nis"
    try:
        cluster, _ = ensure_cluster(data_dir)
        assert not cluster.pgdata.is_relative_to(private)
        assert (data_dir / "pgdata-location").read_text().strip() == str(cluster.pgdata)
        assert postgis_version(cluster).startswith("3.")
    finally:
        stop_cluster(data_dir)
        pointer = data_dir / "pgdata-location"
        if pointer.exists():
            shutil.rmtree(Path(pointer.read_text().strip()).parent, ignore_errors=True)


def _without_password(cluster: LocalCluster, **extra: str) -> str:
    # passfile: not even the tester's own ~/.pgpass may help.
    given = {"host": "127.0.0.1", "port": str(cluster.port), "user": "nis", "dbname": "nis"}
    return psycopg.conninfo.make_conninfo(**{**given, "passfile": NO_PASSFILE, **extra})


def _psql(cluster: LocalCluster, pgpass: Path, query: str) -> subprocess.CompletedProcess[str]:
    """psql as a user runs it, its password (if any) from ``pgpass``; -w: never prompt."""
    where = ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", "nis", "-d", "nis"]
    return subprocess.run(
        [str(cluster.bin_dir / "psql"), "-w", *where, "-tAc", query],
        env={**os.environ, "PGPASSFILE": str(pgpass)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_connection_without_the_password_is_refused(open_data_dir: Path) -> None:
    cluster, _ = ensure_cluster(open_data_dir)
    with pytest.raises(psycopg.OperationalError, match="no password supplied"):
        psycopg.connect(_without_password(cluster))
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(_without_password(cluster, password="guess"))
    psql = _psql(cluster, Path(NO_PASSFILE), "SELECT 1")
    assert psql.returncode != 0
    assert "no password supplied" in psql.stderr


def test_the_server_asks_everyone_for_a_password_over_tcp_only(open_data_dir: Path) -> None:
    cluster, _ = ensure_cluster(open_data_dir)
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        rules = conn.execute(
            "SELECT type, address, auth_method FROM pg_hba_file_rules WHERE error IS NULL"
        ).fetchall()
        listen = conn.execute("SHOW listen_addresses").fetchone()
        sockets = conn.execute("SHOW unix_socket_directories").fetchone()
    assert rules == [("host", "127.0.0.1", "scram-sha-256")]
    assert listen == ("127.0.0.1",)
    assert sockets == ("",)


def test_the_password_is_kept_in_a_pgpass_file_only_its_owner_reads(open_data_dir: Path) -> None:
    cluster, _ = ensure_cluster(open_data_dir)
    pgpass = password_file(open_data_dir)
    mode = pgpass.stat()
    assert stat.S_IMODE(mode.st_mode) == 0o600
    assert mode.st_uid == os.geteuid()
    assert cluster.password not in repr(cluster)
    # psql (and QGIS, through the same libpq) reads the password from the file.
    psql = _psql(cluster, pgpass, "SELECT current_user")
    assert (psql.returncode, psql.stdout.strip()) == (0, "nis"), psql.stderr


def test_nis_db_url_connects_and_says_where_the_password_is(open_data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NIS_DATABASE_URL"}
    result = subprocess.run(
        [NIS, "db", "url"],
        env={**env, "NIS_DATA_DIR": str(open_data_dir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("nis",)
    password = str(psycopg.conninfo.conninfo_to_dict(url)["password"])
    assert password not in result.stderr  # what is said on the way is not the secret
    assert f"PGPASSFILE={password_file(open_data_dir)} psql" in result.stderr


def _a_cluster_as_nis_made_them_before_passwords(data_dir: Path) -> LocalCluster:
    """initdb with trust authentication and no pgpass file, as app/cluster.py did; started."""
    data_dir.mkdir(parents=True)
    pgdata = _prepare_pgdata(data_dir)
    bin_dir = find_postgres_bin()
    options = ["-U", "nis", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"]
    _run([str(bin_dir / "initdb"), "-D", str(pgdata), *options], "initdb")
    port = _free_port()
    with (pgdata / "postgresql.auto.conf").open("a") as conf:
        conf.write(f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n")
    log = pgdata.parent / "postgresql.log"
    _run([str(bin_dir / "pg_ctl"), "start", "-w", "-D", str(pgdata), "-l", str(log)], "start")
    return LocalCluster(pgdata, bin_dir, port, password="")


def test_a_trust_cluster_from_before_is_given_a_password_in_place(
    open_data_dir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    old = _a_cluster_as_nis_made_them_before_passwords(open_data_dir)
    with psycopg.connect(_without_password(old, dbname="postgres"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE nis")
    with psycopg.connect(_without_password(old), autocommit=True) as conn:
        conn.execute("CREATE TABLE kept AS SELECT 42 AS answer")

    cluster, done = ensure_cluster(open_data_dir)

    assert (cluster.pgdata, cluster.port) == (old.pgdata, old.port)
    assert [line.split()[0] for line in done] == ["secured"]
    assert capfd.readouterr().err == ""  # libpq said nothing on the way (to the CLI's user)
    assert stat.S_IMODE(password_file(open_data_dir).stat().st_mode) == 0o600
    with pytest.raises(psycopg.OperationalError, match="no password supplied"):
        psycopg.connect(_without_password(cluster))
    with psycopg.connect(cluster.url()) as conn:
        assert conn.execute("SELECT answer FROM kept").fetchone() == (42,)
    assert "trust" not in (old.pgdata / "pg_hba.conf").read_text()
    # ... and it stays so across a restart, without being secured again.
    stop_cluster(open_data_dir)
    again, done = ensure_cluster(open_data_dir)
    assert (again, [line.split()[0] for line in done]) == (cluster, ["started"])


def _processes_mentioning(text: str) -> list[str]:
    """Command lines (and, where readable, environments) of live processes naming ``text``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            environ = (proc / "environ").read_bytes().decode(errors="replace")
        except OSError:  # gone meanwhile, or another user's
            continue
        if text in cmdline or text in environ:
            found.append(f"{proc.name}: {cmdline}")
    return found


def test_a_test_run_stops_what_it_started_and_leaves_nothing_running() -> None:
    # A pytest run of its own, on a private cluster of its own: one test that uses the suite's
    # cluster and runs `nis`, one that makes, stops and restarts another cluster.
    base = Path(tempfile.mkdtemp(prefix="nis-run-"))
    base.chmod(0o755)  # reachable by postgres, so that every cluster stays under ``base``
    data_dir = base / ".nis"
    env = {k: v for k, v in os.environ.items() if k != "NIS_DATABASE_URL"}
    env |= {"NIS_DATA_DIR": str(data_dir), "TMPDIR": str(base)}
    tests = [
        "tests/test_cli.py::test_db_url_prints_only_the_url",
        "tests/test_cluster.py::test_a_running_cluster_is_reused_and_a_stopped_one_restarted",
    ]
    try:
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert (data_dir / "pgdata" / "PG_VERSION").exists()  # the run made and used it
        assert _processes_mentioning(str(base)) == []
    finally:
        for cluster_dir in [data_dir, *base.glob("nis-cluster-*/.nis")]:
            stop_cluster(cluster_dir)
        shutil.rmtree(base, ignore_errors=True)
