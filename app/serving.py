"""Processes of a running NIS: the web server and the analysis workers beside it.

``nis serve`` runs the web server (one process, or ``--web-workers N``) and starts
``settings.analysis_workers`` analysis worker processes (``nis worker``) beside it, which
it restarts if they die and stops when it stops. Analysis never runs in a web process:
the workers coordinate through PostgreSQL (:mod:`app.analysis.worker`), so they may as
well run on another machine, with ``NIS_ANALYSIS_WORKERS=0`` here.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable

from app.settings import Settings

STOP_TIMEOUT_S = 60.0  # a worker finishes the run in progress before it stops


class WorkerProcesses:
    """``count`` analysis worker processes on ``settings.database_url``, restarted if one
    dies, until :meth:`stop`."""

    def __init__(self, settings: Settings, count: int, say: Callable[[str], None]) -> None:
        assert settings.database_url is not None
        self._env = {**os.environ, "NIS_DATABASE_URL": settings.database_url}
        self._say = say
        self._stopping = threading.Event()
        self._procs = [self._start() for _ in range(count)]
        self._watch = threading.Thread(target=self._restart_dead, daemon=True)
        self._watch.start()

    def _start(self) -> subprocess.Popen[bytes]:
        # A session of its own: a Ctrl-C at the terminal reaches `nis serve`, which stops
        # the workers in order; --parent: a `nis serve` killed outright does not leave
        # them behind.
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker", "--parent", str(os.getpid())],
            env=self._env,
            start_new_session=True,
        )
        self._say(f"analysis worker started (pid {proc.pid})")
        return proc

    def _restart_dead(self) -> None:
        while not self._stopping.wait(1.0):
            for i, proc in enumerate(self._procs):
                code = proc.poll()
                if code is not None and not self._stopping.is_set():
                    self._say(f"analysis worker {proc.pid} stopped (exit {code}); restarting")
                    self._procs[i] = self._start()

    def stop(self) -> None:
        self._stopping.set()
        self._watch.join()
        for proc in self._procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self._procs:
            try:
                proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def serve(
    settings: Settings,
    host: str,
    port: int,
    *,
    web_workers: int,
    say: Callable[[str], None],
) -> None:
    """Serve the API and web page, with the analysis workers the settings ask for."""
    import uvicorn

    from app.main import create_app

    assert settings.database_url is not None
    count = settings.analysis_workers if settings.analysis_after_upload else 0
    workers = WorkerProcesses(settings, count, say) if count else None
    if settings.analysis_after_upload and not count:
        say("NIS_ANALYSIS_WORKERS=0: run `nis worker` for the analyses uploads ask for")
    say(f"serving NIS at http://{host}:{port}/  (API at /api, OpenAPI at /docs)")
    # uvicorn raises the signal that stopped it again once it has shut down: exiting
    # then, rather than dying of it, lets the workers be stopped in order.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _exit)
    try:
        if web_workers > 1:
            # Each web worker process builds its app from the environment.
            os.environ["NIS_DATABASE_URL"] = settings.database_url
            uvicorn.run(
                "app.main:app_from_environment",
                factory=True,
                workers=web_workers,
                host=host,
                port=port,
                log_level="info",
            )
        else:
            uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
    finally:
        if workers is not None:
            workers.stop()


def _exit(signum: int, frame: object) -> None:
    raise SystemExit(0)


def run_worker(
    settings: Settings, *, once: bool, parent: int | None, say: Callable[[str], None]
) -> None:
    """The ``nis worker`` process: serve the analysis queue until SIGTERM or SIGINT
    (after the run in progress), or until process ``parent`` is no longer its parent,
    or, with ``once``, serve what is pending and return."""
    from app.analysis.params import analysis_params
    from app.analysis.worker import AnalysisWorker, WorkerOptions, serve_pending
    from app.db import make_engine

    assert settings.database_url is not None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if settings.analysis_worker_nice:
        os.nice(settings.analysis_worker_nice)
    params = analysis_params(settings)
    if once:
        engine = make_engine(settings.database_url)
        try:
            done = serve_pending(engine, params)
        finally:
            engine.dispose()
        run = f" (run {done.run_id}, {done.requests} requests)" if done.run_id else ""
        say(f"{done.served.value}{run}")
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if parent is not None:
        threading.Thread(target=_stop_when_orphaned, args=(parent, stop), daemon=True).start()
    options = WorkerOptions(quiet_s=settings.analysis_quiet_s, poll_s=settings.analysis_poll_s)
    say(f"analysis worker {os.getpid()} serving the queue")
    from app.framework.notify import after_analysis
    from app.notifications.transport import smtp_config_from

    url, smtp = settings.database_url, smtp_config_from(settings)
    followed = AnalysisWorker(
        url, params, options, after_run=lambda run_id: after_analysis(url, smtp, run_id)
    )
    followed.run(stop)
    say(f"analysis worker {os.getpid()} stopped")


def _stop_when_orphaned(parent: int, stop: threading.Event) -> None:
    while os.getppid() == parent and not stop.wait(1.0):
        pass
    stop.set()
