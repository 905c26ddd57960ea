"""How the benchmarks time what they compare: the median of several runs of a call, and
one GET over HTTP (which must succeed)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """The median seconds of ``runs`` calls of ``fn``, and what the last call returned."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def timed_get(client: httpx.Client, path: str) -> float:
    """Seconds a GET of ``path`` takes; a refusal fails the benchmark."""
    start = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    return elapsed
