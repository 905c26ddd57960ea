"""Benchmark: readers under load, alone and while a partner uploads and analyses run.

Loads the demo city (``nis demo --no-serve``: Sheffield's 345 LSOAs, every agency's
indicators) into a throwaway database, serves it with ``nis serve`` on a free port (one
web process and, beside it, the analysis worker process it starts), and runs two phases
of the same length, measured in the same run and alternated in ``--rounds`` blocks (so
that other load on the machine falls on both alike; before each block alone, the
analyses the uploads asked for have finished):

- **alone**: 8 concurrent readers, each looping over the map's values and GeoJSON
  (``/api/maps/...``), areas (``/api/areas``), OGC API items and vector tiles of a few
  public indicators and periods;
- **with writer**: the same readers while the fire service uploads a month of
  accidental dwelling fires (345 values, different each time, so every upload changes
  data and asks for an analysis) every 5 s, and the analyses run.

It prints, per phase, requests/s, p50 and p95 latency and errors, the analysis runs
and the share of the phase they took, and the ratio p95(with writer) / p95(alone).
Targets: zero errors and a ratio of at most 1.25. Other processes on the machine move
both phases alike; compare ratios, not absolute times, between runs.

``--code DIR`` runs the same bench on the code of another checkout (for example a
worktree of a commit from before the analysis workers, whose web process ran the
analysis itself), with this checkout's virtual environment: a before/after comparison
on the same machine.

Examples::

    .venv/bin/python bench/bench_load.py              # 60 s per phase
    .venv/bin/python bench/bench_load.py --quick      # 20 s per phase
    .venv/bin/python bench/bench_load.py --duration 30 --readers 4 --upload-every 2
    .venv/bin/python bench/bench_load.py --web-workers 2 --analysis-workers 2
    git worktree add /tmp/before 66d6889   # then:
    .venv/bin/python bench/bench_load.py --code /tmp/before
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.access.service import create_key  # noqa: E402
from app.cluster import resolve_database_url  # noqa: E402
from app.db import plain_url, unit_of_work  # noqa: E402
from app.dbadmin import create_database, drop_database  # noqa: E402
from app.settings import load_settings  # noqa: E402
from bench.bench_areas import free_port, wait_until_serving  # noqa: E402

TARGET_RATIO = 1.25
NIS = REPO / ".venv/bin/nis"
INDICATORS = ["burglary", "criminal_damage_arson", "anti_social_behaviour", "vehicle_crime"]
PERIODS = ["2023-12", "2023-06", "2022-12"]
WRITER_INDICATOR = "accidental_dwelling_fires"
WRITER_PERIOD = "2023-12"
SHEFFIELD = (-1.47, 53.38)  # the middle of the demo city, for tiles


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def reader_paths() -> list[str]:
    """What officers' pages and GIS clients ask for, over a few indicators and periods."""
    paths = []
    for i, indicator in enumerate(INDICATORS):
        period = PERIODS[i % len(PERIODS)]
        paths += [
            f"/api/maps/{indicator}?type=lsoa&period={period}&geometry=false",
            f"/api/maps/{indicator}?type=msoa&period={period}",
            f"/ogc/collections/{indicator}/items?limit=50&offset={50 * i}",
        ]
    paths += ["/api/areas?type=lsoa&simplify=2", "/api/areas?type=msoa"]
    for z in (11, 12, 13):
        x, y = tile_of(*SHEFFIELD, z)
        paths += [f"/tiles/lsoa/{z}/{x + dx}/{y}.mvt" for dx in (-1, 0, 1)]
    return paths


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error is not None:
                self.errors.append(error)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return math.nan
    ranked = sorted(values)
    return ranked[min(len(ranked) - 1, max(0, math.ceil(p / 100 * len(ranked)) - 1))]


def read(base: str, paths: list[str], start: int, until: float, tally: Tally) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        i = start
        while time.monotonic() < until:
            path = paths[i % len(paths)]
            i += 1
            began = time.perf_counter()
            error = None
            try:
                response = client.get(path)
                response.read()
                if response.status_code >= 400:
                    error = f"{response.status_code} {path}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__} {path}"
            tally.add(time.perf_counter() - began, error)


def write(base: str, key: str, codes: list[str], every: float, until: float, tally: Tally) -> None:
    """Upload a changed month every ``every`` seconds until ``until``."""
    rng = random.Random(2019)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "text/csv"}
    with httpx.Client(base_url=base, timeout=120, headers=headers) as client:
        next_at = time.monotonic()
        while next_at < until:
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += every
            body = "area_code,period,indicator,value\n" + "".join(
                f"{c},{WRITER_PERIOD},{WRITER_INDICATOR},{rng.randint(0, 6)}\n" for c in codes
            )
            began = time.perf_counter()
            error = None
            try:
                response = client.post("/api/observations", content=body.encode())
                if response.status_code != 200 or not response.json()["changed"]:
                    error = f"{response.status_code} upload: {response.text[:200]}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__} upload"
            tally.add(time.perf_counter() - began, error)


@dataclass
class Phase:
    """The requests of one phase, over all its blocks."""

    name: str
    readers: Tally = field(default_factory=Tally)
    writer: Tally = field(default_factory=Tally)
    windows: list[tuple[float, float]] = field(default_factory=list)  # epoch seconds
    runs: int = 0
    analysing_s: float = 0.0

    @property
    def seconds(self) -> float:
        return sum(end - start for start, end in self.windows)

    def p(self, q: float) -> float:
        return percentile(self.readers.latencies, q)

    def row(self) -> str:
        n = len(self.readers.latencies)
        return (
            f"  {self.name:<12} {n:7d} {n / self.seconds:8.1f} {1000 * self.p(50):8.0f} "
            f"{1000 * self.p(95):8.0f} {len(self.readers.errors):7d}"
        )


def run_block(
    phase: Phase,
    base: str,
    seconds: float,
    readers: int,
    writer: tuple[str, list[str], float] | None,
) -> None:
    """``readers`` readers (and the writer, if any) for ``seconds``, counted in ``phase``."""
    paths = reader_paths()
    started = time.time()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=read, args=(base, paths, i * 5, until, phase.readers))
        for i in range(readers)
    ]
    if writer is not None:
        key, codes, every = writer
        threads.append(
            threading.Thread(target=write, args=(base, key, codes, every, until, phase.writer))
        )
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    phase.windows.append((started, time.time()))


def newest_batch(url: str) -> int:
    with unit_of_work(url) as session:
        return int(session.execute(text("SELECT coalesce(max(id), 0) FROM batch")).scalar_one())


def wait_analysed(url: str, before_uploads: int, timeout: float) -> bool:
    """Wait until a finished run has seen every upload (works for code from before the
    queue too: a run records the newest batch it served)."""
    deadline = time.monotonic() + timeout
    while True:
        with unit_of_work(url) as session:
            newest, analysed = session.execute(
                text(
                    "SELECT (SELECT coalesce(max(id), 0) FROM batch), (SELECT "
                    "coalesce(max(batch_id), 0) FROM analysis_run WHERE trigger = 'upload' "
                    "AND status IN ('done', 'failed'))"
                )
            ).one()
        if newest <= max(analysed, before_uploads):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)


def analysis_during(url: str, windows: list[tuple[float, float]]) -> tuple[int, float]:
    """Runs after uploads that overlap the ``windows``, and the seconds of them they took."""
    with unit_of_work(url) as session:
        runs = session.execute(
            text(
                "SELECT extract(epoch FROM started_at), extract(epoch FROM finished_at) "
                "FROM analysis_run WHERE trigger = 'upload' AND finished_at IS NOT NULL"
            )
        ).all()
    count, seconds = 0, 0.0
    for start, end in ((float(a), float(b)) for a, b in runs):
        overlap = sum(max(0.0, min(end, w1) - max(start, w0)) for w0, w1 in windows)
        count += overlap > 0
        seconds += overlap
    return count, seconds


def nis_command(code: Path | None, *args: str) -> tuple[list[str], dict[str, str]]:
    """``nis ARGS``, of this checkout or of the checkout ``code``."""
    env = dict(os.environ)
    if code is None:
        return [str(NIS), *args], env
    # Ahead of this checkout's editable install, which Python consults last.
    env["PYTHONPATH"] = str(code)
    return [sys.executable, "-m", "app.cli", *args], env


def load_demo(url: str, code: Path | None) -> tuple[str, list[str]]:
    """The demo city, a key of the fire service and the LSOA codes."""
    command, env = nis_command(code, "demo", "--no-serve")
    env["NIS_DATABASE_URL"] = url
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"nis demo failed:\n{done.stderr}")
    # A freshly loaded database reads slower until autovacuum has been by (hint bits,
    # statistics, visibility map), at a moment of its choosing: settle it first.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(b"VACUUM (ANALYZE)")
    with unit_of_work(url) as session:
        key = create_key(session, "fire", label="bench_load writer")
        codes = list(
            session.execute(text("SELECT code FROM area WHERE type_code = 'lsoa'")).scalars()
        )
    return key, codes


def serve(
    url: str, port: int, web_workers: int, analysis_workers: int, code: Path | None
) -> subprocess.Popen[bytes]:
    workers = ["--web-workers", str(web_workers), "--analysis-workers", str(analysis_workers)]
    command, env = nis_command(code, "serve", "--port", str(port), *([] if code else workers))
    env["NIS_DATABASE_URL"] = url
    proc = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return wait_until_serving(proc, port, 120)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog=__doc__[__doc__.index("Examples") :],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--duration", type=float, default=60, help="seconds per phase")
    parser.add_argument("--quick", action="store_true", help="20 s per phase")
    parser.add_argument("--readers", type=int, default=8, help="concurrent readers")
    parser.add_argument("--upload-every", type=float, default=5, help="seconds between uploads")
    parser.add_argument("--web-workers", type=int, default=1, help="nis serve --web-workers")
    parser.add_argument(
        "--analysis-workers", type=int, default=1, help="nis serve --analysis-workers"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="alternate the phases this many times (the machine's drift hits both alike)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--code", type=Path, help="run the code of this checkout instead (as it serves)"
    )
    args = parser.parse_args()
    seconds = 20.0 if args.quick else args.duration

    server = plain_url(resolve_database_url(load_settings()))
    url = create_database(server, "nis_bench_load")
    proc = None
    try:
        print("loading the demo city ...", flush=True)
        key, codes = load_demo(url, args.code)
        port = free_port()
        proc = serve(url, port, args.web_workers, args.analysis_workers, args.code)
        base = f"http://127.0.0.1:{port}"
        alone, busy = Phase("alone"), Phase("with writer")
        run_block(Phase("warm-up"), base, 5, args.readers, None)
        block = seconds / args.rounds
        print(
            f"\n{args.readers} readers for {seconds:.0f} s per phase, in {args.rounds} rounds "
            f"of {block:.0f} s alone then {block:.0f} s with the writer; nis serve with "
            + (
                f"the code of {args.code}"
                if args.code
                else f"{args.web_workers} web and {args.analysis_workers} analysis worker "
                "process(es)"
            ),
            flush=True,
        )
        before_uploads = newest_batch(url)
        idle = True
        for _ in range(args.rounds):
            # Alone means alone: the runs the last uploads asked for are over.
            idle = wait_analysed(url, before_uploads, 300) and idle
            run_block(alone, base, block, args.readers, None)
            run_block(busy, base, block, args.readers, (key, codes, args.upload_every))
        idle = wait_analysed(url, before_uploads, 300) and idle
        busy.runs, busy.analysing_s = analysis_during(url, busy.windows)
        alone.runs, alone.analysing_s = analysis_during(url, alone.windows)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=90)
        if not args.keep:
            drop_database(url)
        else:
            print(f"kept {url}")

    header = ("phase", "requests", "req/s", "p50 ms", "p95 ms", "errors")
    print("\n  {:<12} {:>7} {:>8} {:>8} {:>8} {:>7}".format(*header))
    print(alone.row())
    print(busy.row())
    uploads = busy.writer.latencies
    print(
        f"  writer: {len(uploads)} uploads, median {1000 * statistics.median(uploads):.0f} ms, "
        f"{len(busy.writer.errors)} errors; analysis runs took "
        f"{busy.analysing_s / busy.seconds:.0%} of the phase with the writer ({busy.runs} runs)"
        f" and {alone.analysing_s / alone.seconds:.0%} of the phase alone"
        + ("" if idle else "; an analysis did not finish within 300 s")
    )
    for error in sorted(set(alone.readers.errors + busy.readers.errors + busy.writer.errors))[:10]:
        print(f"  error: {error}")
    ratio = busy.p(95) / alone.p(95)
    errors = len(alone.readers.errors) + len(busy.readers.errors) + len(busy.writer.errors)
    print(f"  ratio p95(with writer) / p95(alone) {ratio:.2f}x  (target <= {TARGET_RATIO}x)")
    print(
        f"  ratio p50 {busy.p(50) / alone.p(50):.2f}x, throughput "
        f"{len(busy.readers.latencies) / len(alone.readers.latencies):.2f}x"
    )
    ok = errors == 0 and ratio <= TARGET_RATIO and busy.runs > 0 and idle
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
