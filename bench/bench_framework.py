"""Benchmark: the performance framework's board report and risks (issue 16's targets).

Loads the demo city (``nis demo --no-serve --no-wards``: Sheffield's 345 LSOAs, three
years of every agency's indicators, an analysis) into a throwaway database, adds a board
with 30 measures (rates of counts, percentages and scores; in the city, the most deprived
fifth, the gap and single areas) and 40 actions with their owners' updates, and 170 more
measures, then measures:

- all risks for 200 measures (``assess_measures``: speed, effectiveness of every linked
  action, projection, innovation flag, recorded): target 30 s; the baseline in the same
  run is reading the 200 measures' series alone, the data every assessment starts from;
- the board's report as HTML (``board_report`` + ``report_html``) once issued: target
  2 s; the baseline is the report as JSON (what the HTML renders);
- the report as PDF (headless Chromium): target 10 s; the baseline is Chromium printing
  an empty page (its start-up).

Examples::

    .venv/bin/python bench/bench_framework.py
    .venv/bin/python bench/bench_framework.py --runs 5 --keep
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import text  # noqa: E402

from app.access.viewer import CLI, Role, Viewer  # noqa: E402
from app.cluster import resolve_database_url  # noqa: E402
from app.db import plain_url, unit_of_work  # noqa: E402
from app.dbadmin import create_database, drop_database  # noqa: E402
from app.framework import actions, assessments, rendering, report, service  # noqa: E402
from app.framework import repository as repo  # noqa: E402
from app.framework.series import MeasureScope, measure_series  # noqa: E402
from app.indicators import repository as indicator_repo  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.settings import load_settings  # noqa: E402
from bench.timing import median_time as timed  # noqa: E402

RISKS_TARGET_S = 30.0
HTML_TARGET_S = 2.0
PDF_TARGET_S = 10.0
BOARD = "bench-board"
# (indicator, scope, statistic, frequency, baseline period, due period): targets are 20%
# better than now (0.5 points for a gap).
KINDS = [
    ("burglary", "city", "rate", "quarter", "2021-03", "2024-12"),
    ("violence_sexual_offences", "city", "rate", "month", "2021-03", "2024-12"),
    ("criminal_damage_arson", "deprived", "rate", "quarter", "2021-03", "2024-12"),
    ("anti_social_behaviour", "area", "rate", "quarter", "2021-03", "2024-12"),
    ("vehicle_crime", "city", "rate", "quarter", "2021-03", "2024-12"),
    ("persistent_absence", "gap", "gap", "year", "2021/22", "2025/26"),
    ("child_obesity_year6", "city", "level", "year", "2021/22", "2025/26"),
    ("child_obesity_reception", "deprived", "level", "year", "2021/22", "2025/26"),
    ("shoplifting", "deprived", "rate", "quarter", "2021-03", "2024-12"),
    ("deliberate_secondary_fires", "city", "rate", "quarter", "2021-03", "2024-12"),
]


def build(url: str) -> None:
    """The bench board, its 30 measures and 40 actions, and 170 more measures."""
    with unit_of_work(url) as session:
        service.create_board(session, CLI, {"code": BOARD, "name": "Bench board"})
        service.add_member(session, CLI, BOARD, "demo.officer", "chair")
        lsoas = [
            str(c)
            for c in session.execute(
                text("SELECT code FROM area WHERE type_code = 'lsoa' ORDER BY code")
            ).scalars()
        ]
        for n in range(200):
            ind, scope, stat, freq, base, due = KINDS[n % len(KINDS)]
            if indicator_repo.indicator(session, ind) is None:
                continue
            target = 0.5 if scope == "gap" else None
            spec: dict[str, Any] = {
                "code": f"bench-{n:03d}", "title": f"Bench measure {n} ({ind}, {scope})",
                "indicator": ind, "scope": scope, "statistic": stat, "frequency": freq,
                "baseline_period": base, "area_type": "lsoa",
                "area_code": lsoas[n % len(lsoas)] if scope == "area" else None,
                "lead_board": BOARD if n < 30 else None,
            }  # fmt: skip
            made = service.create_measure(session, CLI, spec)
            series = measure_series(session, _scope(session, made))
            now = float(series.value[-1])
            value = (
                target
                if target is not None
                else round(now * (0.8 if made["improvement"] == "down" else 1.2), 4)
            )
            service.set_target(session, CLI, made["code"], {"due_period": due, "value": value})
        owner = repo.user_named(session, "demo.officer")
        as_owner = Viewer(Role.OFFICER, "user demo.officer", user_id=int(owner.id))
        for n in range(40):
            code = f"bench-action-{n:02d}"
            actions.create_action(session, CLI, {
                "code": code, "title": f"Bench action {n}", "owner": "demo.officer",
                "status": "on_track" if n % 4 else "not_started", "starts_on": "2022-06-01",
                "areas": lsoas[n * 5:(n + 1) * 5],
                "measures": [{"measure": f"bench-{n % 30:03d}", "lag_months": 3},
                             {"measure": f"bench-{(n + 7) % 30:03d}", "lag_months": 6}],
            })  # fmt: skip
            actions.add_update(session, as_owner, code, {
                "cycle": "2026-11", "narrative": f"Progress on bench action {n}. " * 5,
                "progress": 50, "status": "on_track" if n % 4 else "not_started",
            })  # fmt: skip


def _scope(session: Any, snap: dict[str, Any]) -> MeasureScope:
    ind = indicator_repo.indicator(session, snap["indicator"])
    assert ind is not None
    return MeasureScope(ind, snap["scope"], snap["area_type"], snap["area_code"],
                        snap["groups"], snap["statistic"], snap["frequency"])  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog=__doc__.split("Examples::")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--runs", type=int, default=3, help="timings' runs (median)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    settings = load_settings()
    url = create_database(plain_url(resolve_database_url(settings)), "nis_bench_framework")
    try:
        upgrade(url)
        print("loading the demo city ...", flush=True)
        nis = str(Path(sys.executable).parent / "nis")
        done = subprocess.run([nis, "demo", "--no-serve", "--no-wards"], capture_output=True,
                              text=True, env={**os.environ, "NIS_DATABASE_URL": url})  # fmt: skip
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 2
        build(url)
        with unit_of_work(url) as session:
            measures = [m for m in service.measures(session, CLI) if m["code"].startswith("bench-")]
            start = time.perf_counter()
            for m in measures:
                measure_series(session, _scope(session, m))
            read_s = time.perf_counter() - start
            start = time.perf_counter()
            done_ = assessments.assess_measures(session, CLI, [m["code"] for m in measures])
            risks_s = time.perf_counter() - start
            report.issue(session, CLI, BOARD)
        print(f"\nall risks of {len(done_)} measures")
        print(f"  reading their series (baseline) {read_s:7.2f} s")
        print(f"  assessing them (recorded)       {risks_s:7.2f} s")
        print(f"  ratio                           {risks_s / read_s:7.2f}x")
        risks_ok = risks_s <= RISKS_TARGET_S
        print(f"  {'PASS' if risks_ok else 'FAIL'} (target <= {RISKS_TARGET_S:.0f} s)")
        with unit_of_work(url) as session:
            json_s, _ = timed(lambda: json.dumps(
                report.board_report(session, CLI, BOARD), default=str), args.runs)  # fmt: skip
            html_s, page = timed(lambda: rendering.report_html(
                report.board_report(session, CLI, BOARD), demo=True), args.runs)  # fmt: skip
            shown = report.board_report(session, CLI, BOARD)
        print(f"\nthe board's report: {len(shown['measures'])} measures, "
              f"{len(shown['actions'])} actions, {len(page):,} bytes of HTML")  # fmt: skip
        print(f"  as JSON (baseline)              {json_s:7.3f} s")
        print(f"  as HTML                         {html_s:7.3f} s")
        print(f"  ratio                           {html_s / json_s:7.2f}x")
        html_ok = html_s <= HTML_TARGET_S
        print(f"  {'PASS' if html_ok else 'FAIL'} (target <= {HTML_TARGET_S:.0f} s)")
        empty = "<!doctype html><title>empty</title><p>empty</p>"
        blank_s, _ = timed(lambda: rendering.report_pdf(empty), args.runs)
        pdf_s, pdf = timed(lambda: rendering.report_pdf(page), args.runs)
        print(f"\nthe report as PDF ({len(pdf):,} bytes)")
        print(f"  an empty page (baseline)        {blank_s:7.2f} s")
        print(f"  the report                      {pdf_s:7.2f} s")
        print(f"  ratio                           {pdf_s / blank_s:7.2f}x")
        pdf_ok = pdf_s <= PDF_TARGET_S
        print(f"  {'PASS' if pdf_ok else 'FAIL'} (target <= {PDF_TARGET_S:.0f} s)")
        return 0 if risks_ok and html_ok and pdf_ok else 1
    finally:
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
