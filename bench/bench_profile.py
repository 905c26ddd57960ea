"""Benchmark: opening a neighbourhood profile (issue 17's target: within 300 ms of the
click).

Loads the demo city (``nis demo --no-serve``: Sheffield's 345 LSOAs, its 28 wards and 7
local area committees, every agency's indicators, an analysis) into a throwaway
database, serves it with ``nis serve`` (one web process, no analysis worker) and times
``GET /api/areas/{code}/profile`` for the city, an LSOA (the planted E01007909) and a
ward, for the public and for a partner (an administrator's key: nothing suppressed):

- warm: the profile asked again while the data are unchanged (another area of the same
  type is as fast: the type's grids are shared), median of ``--runs``; target 300 ms;
- cold: the first profile of a type after the data changed (each type's grids are
  worked out once per database state), printed beside it;
- the baseline in the same run: ``GET /api/alerts?area=CODE``, the alerts the profile
  carries (a read of one table), and the ratio of the profile to it.

Examples::

    .venv/bin/python bench/bench_profile.py
    .venv/bin/python bench/bench_profile.py --runs 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.access.service import create_key  # noqa: E402
from app.cluster import resolve_database_url  # noqa: E402
from app.db import plain_url, unit_of_work  # noqa: E402
from app.dbadmin import create_database, drop_database  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.settings import load_settings  # noqa: E402
from bench.bench_areas import free_port, serve  # noqa: E402
from bench.timing import timed_get as timed  # noqa: E402

TARGET_S = 0.300
LSOA = "E01007909"


def first_code(client: httpx.Client, type_code: str) -> str:
    body = client.get(f"/api/areas?type={type_code}&simplify=3").json()
    return str(sorted(f["properties"]["code"] for f in body["features"])[0])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog=__doc__.split("Examples::")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--runs", type=int, default=10, help="warm requests per profile")
    args = parser.parse_args()
    url = create_database(plain_url(resolve_database_url(load_settings())), "nis_bench_profile")
    proc = None
    try:
        upgrade(url)
        print("loading the demo city (with wards) ...", flush=True)
        env = {**os.environ, "NIS_DATABASE_URL": url}
        subprocess.run([str(REPO / ".venv/bin/nis"), "demo", "--no-serve"], env=env,
                       check=True, capture_output=True)  # fmt: skip
        with unit_of_work(url) as session:
            key = create_key(session, None, admin=True, label="bench")
        port = free_port()
        proc = serve(url, port, analysis_after_upload="false", analysis_workers="0")
        site = f"http://127.0.0.1:{port}"
        ok = True
        viewers = {"public": {}, "partner": {"Authorization": f"Bearer {key}"}}
        print(f"\n{'profile':<34} {'viewer':<8} {'cold':>8} {'warm p50':>9} {'max':>8} "
              f"{'alerts':>8} {'ratio':>6}")  # fmt: skip
        for who, headers in viewers.items():
            with httpx.Client(base_url=site, timeout=120, headers=headers) as client:
                areas = [("city", first_code(client, "city")), ("lsoa", LSOA),
                         ("ward", first_code(client, "ward"))]  # fmt: skip
                for type_code, code in areas:
                    path = f"/api/areas/{code}/profile"
                    cold = timed(client, path)
                    warm = [timed(client, path) for _ in range(args.runs)]
                    base = statistics.median(
                        timed(client, f"/api/alerts?area={code}") for _ in range(args.runs)
                    )
                    p50 = statistics.median(warm)
                    ok = ok and p50 <= TARGET_S
                    print(f"{type_code + ' ' + code:<34} {who:<8} {cold * 1000:>6.0f}ms "
                          f"{p50 * 1000:>7.0f}ms {max(warm) * 1000:>6.0f}ms "
                          f"{base * 1000:>6.0f}ms {p50 / base:>5.1f}x")  # fmt: skip
        print(f"\ntarget: warm p50 within {TARGET_S * 1000:.0f} ms: {'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
