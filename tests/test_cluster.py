"""The private PostgreSQL cluster that NIS runs when no NIS_DATABASE_URL is set."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from app.cluster import LocalCluster, ensure_cluster, is_running, stop_cluster


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
