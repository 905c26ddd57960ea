"""Benchmark: the neighbourhood report as PDF (issue 17's target: within 5 s).

Loads the demo city (``nis demo --no-serve --no-wards``) into a throwaway database (or
reads the one ``--database-url`` names, where the demo has run), builds the app as the
server does (its read cache included) and asks it, as an officer would after opening
the area's profile and pressing "Download PDF":

- GET /api/areas/{code}/profile (the baseline the report is made of);
- GET /api/areas/{code}/report.html (the printable page);
- GET /api/areas/{code}/report.pdf (printed by headless Chromium): target 5 s; its
  baseline is Chromium printing an empty page (its start-up), in the same run.

Both the public's report and a partner's (an officer's read key) are timed.

Examples::

    .venv/bin/python bench/bench_area_report.py
    .venv/bin/python bench/bench_area_report.py --runs 5 --area E01007824
    .venv/bin/python bench/bench_area_report.py --database-url postgresql://.../nis_demo
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fastapi.testclient import TestClient  # noqa: E402

from app.access.service import create_key  # noqa: E402
from app.cluster import resolve_database_url  # noqa: E402
from app.db import plain_url, unit_of_work  # noqa: E402
from app.dbadmin import create_database, drop_database  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.reports.rendering import print_pdf  # noqa: E402
from app.settings import Settings, load_settings  # noqa: E402
from bench.timing import median_time as timed  # noqa: E402

PDF_TARGET_S = 5.0
AREA = "E01007909"  # Sheffield 032C, the demo's correlated alert
EMPTY = "<!doctype html><title>empty</title><p>empty</p>"


def _load_demo(url: str) -> bool:
    upgrade(url)
    print("loading the demo city ...", flush=True)
    nis = str(Path(sys.executable).parent / "nis")
    done = subprocess.run([nis, "demo", "--no-serve", "--no-wards"], capture_output=True,
                          text=True, env={**os.environ, "NIS_DATABASE_URL": url})  # fmt: skip
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
    return done.returncode == 0


def _get(client: TestClient, path: str, headers: dict[str, str]) -> bytes:
    response = client.get(path, headers=headers)
    response.raise_for_status()
    return response.content


def _bench_viewer(
    client: TestClient, who: str, headers: dict[str, str], area: str, runs: int, blank_s: float
) -> bool:
    base = f"/api/areas/{area}"

    def get(what: str) -> Callable[[], bytes]:
        return lambda: _get(client, f"{base}/{what}", headers)

    first = time.perf_counter()
    get("profile")()  # as opened before printing
    cold_s = time.perf_counter() - first
    profile_s, _ = timed(get("profile"), runs)
    html_s, page = timed(get("report.html"), runs)
    pdf_s, pdf = timed(get("report.pdf"), runs)
    print(f"\n{who}'s report of {area} ({len(page):,} bytes of HTML, {len(pdf):,} of PDF)")
    print(f"  the profile, first opened               {cold_s:7.2f} s")
    print(f"  the profile (baseline)                  {profile_s:7.2f} s")
    print(f"  the report as HTML                      {html_s:7.2f} s "
          f"({html_s / profile_s:.2f}x the profile)")  # fmt: skip
    print(f"  the report as PDF                       {pdf_s:7.2f} s "
          f"({pdf_s / blank_s:.2f}x an empty page)")  # fmt: skip
    passed = pdf_s <= PDF_TARGET_S
    print(f"  {'PASS' if passed else 'FAIL'} (target <= {PDF_TARGET_S:.0f} s)")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog=__doc__.split("Examples::")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--runs", type=int, default=3, help="timings' runs (median)")
    parser.add_argument("--area", default=AREA, help="the area's code")
    parser.add_argument("--database-url", help="a database where the demo has run")
    args = parser.parse_args()
    made = args.database_url is None
    url = args.database_url or create_database(
        plain_url(resolve_database_url(load_settings())), "nis_bench_area_report"
    )
    try:
        if made and not _load_demo(url):
            return 2
        with unit_of_work(url) as session:
            key = create_key(session, "police", scope="read", label="bench: an officer")
        blank_s, _ = timed(lambda: print_pdf(EMPTY), args.runs)
        print(f"\nChromium printing an empty page (baseline)  {blank_s:7.2f} s")
        ok = True
        app = create_app(Settings(database_url=url, analysis_after_upload=False))
        with TestClient(app) as client:
            for who, headers in (("public", {}), ("officer", {"Authorization": f"Bearer {key}"})):
                passed = _bench_viewer(client, who, headers, args.area, args.runs, blank_s)
                ok = ok and passed
        return 0 if ok else 1
    finally:
        if made:
            drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
