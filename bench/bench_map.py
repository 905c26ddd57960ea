"""Benchmark: the officers' map in headless Chromium, first paint and repaint.

Loads the demo city (`nis demo`: Sheffield's 345 LSOAs and every agency's indicators)
into a throwaway database, serves it, and drives Debian's Chromium with Playwright:

- first paint: from navigation to the choropleth painted (fresh browser context each
  time, so nothing is cached), median of ``--runs``; target 1.5 s;
- repaint: changing indicator or period (values only; geometries are kept), median of
  ``--runs``; target 300 ms.

The baseline, measured in the same run: the same requests the page makes (geometries
and values) made by a bare HTTP client, to show what the browser adds. ``--national``
also paints all 34,753 England and Wales LSOAs (population values made up for the test)
to check the map stays usable at that scale.

    .venv/bin/python bench/bench_map.py [--runs N] [--national]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from playwright.sync_api import Browser, sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.db import plain_url, resolve_database_url  # noqa: E402
from app.dbadmin import create_database, drop_database  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.settings import load_settings  # noqa: E402
from bench.bench_areas import NATIONAL, free_port, serve  # noqa: E402
from bench.bench_areas import load as load_national  # noqa: E402

PAINT_TARGET_S = 1.5
REPAINT_TARGET_S = 0.3
VIEWS = ["burglary", "criminal_damage_arson", "vehicle_crime", "anti_social_behaviour"]


def first_paint(browser: Browser, url: str) -> float:
    """Seconds from navigation to the painted map, in a fresh context (no cache)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("document.body.dataset.state === 'painted'", timeout=120_000)
    painted_ms = float(page.evaluate("Number(document.body.dataset.paintedAt)"))
    context.close()
    return painted_ms / 1000


def repaints(browser: Browser, url: str, runs: int) -> list[float]:
    """Seconds to repaint after choosing another indicator, then another period."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("document.body.dataset.state === 'painted'", timeout=120_000)
    times = []
    for i in range(runs):
        page.evaluate("document.body.dataset.state = 'waiting'")
        if i % 2 == 0:
            page.select_option("#indicator", VIEWS[(i // 2) % len(VIEWS)])
        else:
            page.evaluate(
                "() => { const s = document.getElementById('period');"
                " s.value = String(Math.max(0, Number(s.value) - 1));"
                " s.dispatchEvent(new Event('input')); }"
            )
        page.wait_for_function("document.body.dataset.state === 'painted'", timeout=60_000)
        times.append(float(page.evaluate("Number(document.body.dataset.paintMs)")) / 1000)
    context.close()
    return times


def bare_requests(site: str, type_code: str, indicator: str, level: int) -> float:
    """The page's two requests (geometries, values) from a plain HTTP client."""
    start = time.perf_counter()
    with httpx.Client(base_url=site, timeout=120) as client:
        client.get(f"/api/areas?type={type_code}&simplify={level}").raise_for_status()
        client.get(f"/api/maps/{indicator}?type={type_code}&geometry=false").raise_for_status()
    return time.perf_counter() - start


def measure(browser: Browser, site: str, view: str, runs: int, level: int) -> tuple[float, float]:
    url = f"{site}/#{view}"
    paints = [first_paint(browser, url) for _ in range(runs)]
    indicator = view.split("indicator=")[1].split("&")[0]
    bare = statistics.median(bare_requests(site, "lsoa", indicator, level) for _ in range(runs))
    return statistics.median(paints), bare


def national_values(url: str) -> None:
    """A made-up population for every national LSOA, so the national map has values."""
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO batch (kind, actor) VALUES ('observations', 'bench') RETURNING id"
        )
        conn.execute(
            "INSERT INTO observation (indicator_code, area_id, period, period_start, "
            "period_end, value, batch_id) SELECT 'population', id, '2020', '2020-01-01', "
            "'2021-01-01', 1000 + (id * 7919) % 2000, (SELECT max(id) FROM batch) "
            "FROM area WHERE type_code = 'lsoa'"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--national", action="store_true", help="also all E&W LSOAs")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        print("Chromium is missing: `make setup` installs it", file=sys.stderr)
        return 2
    server = plain_url(resolve_database_url(load_settings()))
    url = create_database(server, "nis_bench_map")
    procs = []
    ok = True
    try:
        upgrade(url)
        env = {**os.environ, "NIS_DATABASE_URL": url}
        subprocess.run([str(REPO / ".venv/bin/nis"), "demo", "--no-serve"], env=env,
                       check=True, capture_output=True)  # fmt: skip
        port = free_port()
        procs.append(serve(url, port, analysis_after_upload="false"))
        site = f"http://127.0.0.1:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            paint, bare = measure(browser, site, "indicator=all_crime&type=lsoa", args.runs, 1)
            again = statistics.median(repaints(browser, f"{site}/#indicator=all_crime&type=lsoa",
                                               2 * args.runs))  # fmt: skip
            print(f"\nthe officers' map, Sheffield's 345 LSOAs, headless Chromium (median of "
                  f"{args.runs})")  # fmt: skip
            print(f"  first paint (navigation to painted map)  {paint:6.3f} s  "
                  f"(target <= {PAINT_TARGET_S} s)  bare requests {bare:.3f} s: "
                  f"{paint / bare:.1f}x")  # fmt: skip
            print(f"  repaint (indicator or period)            {again:6.3f} s  "
                  f"(target <= {REPAINT_TARGET_S} s)")  # fmt: skip
            ok = paint <= PAINT_TARGET_S and again <= REPAINT_TARGET_S
            print("PASS" if ok else "FAIL")
            if args.national:
                if not NATIONAL.exists():
                    print(f"{NATIONAL} is missing: no national run", file=sys.stderr)
                else:
                    national = create_database(server, "nis_bench_map_national")
                    try:
                        upgrade(national)
                        load_national(national)
                        from app.agencies.service import CLI
                        from app.db import unit_of_work
                        from app.indicators.catalogue import default_catalogue
                        from app.indicators.service import import_catalogue

                        with unit_of_work(national) as session:
                            import_catalogue(session, CLI, default_catalogue())
                        national_values(national)
                        port = free_port()
                        procs.append(serve(national, port, analysis_after_upload="false"))
                        site = f"http://127.0.0.1:{port}"
                        view = "indicator=population&type=lsoa"
                        paint, bare = measure(browser, site, view, 3, 3)
                        again = statistics.median(repaints_national(browser, f"{site}/#{view}"))
                        print("\nall 34,753 England and Wales LSOAs (display level 3, canvas)")
                        print(f"  first paint {paint:6.2f} s  bare requests {bare:.2f} s; "
                              f"repaint (classes) {again:.2f} s")  # fmt: skip
                    finally:
                        drop_database(national)
            browser.close()
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
        drop_database(url)
    return 0 if ok else 1


def repaints_national(browser: Browser, url: str) -> list[float]:
    """Repaints by changing the number of classes (one indicator is loaded)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("document.body.dataset.state === 'painted'", timeout=120_000)
    times = []
    for classes in ("4", "6", "7"):
        page.evaluate("document.body.dataset.state = 'waiting'")
        page.select_option("#classes", classes)
        page.wait_for_function("document.body.dataset.state === 'painted'", timeout=120_000)
        times.append(float(page.evaluate("Number(document.body.dataset.paintMs)")) / 1000)
    context.close()
    return times


if __name__ == "__main__":
    sys.exit(main())
