"""A real webhook receiver for the notification tests: the standard library's
ThreadingHTTPServer in a thread on loopback, not a mock.

:func:`start_webhook_receiver` starts one on a free port. It records every request
(method, path, headers, body) before it answers, and answers 204 unless told otherwise:
:meth:`WebhookReceiver.answer` queues the statuses of the next answers (a 3xx points
elsewhere on the same server), and ``delay`` makes it wait before each. The session
fixture ``webhook_server`` (tests/notifications/conftest.py) is one.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Request:
    """A request the receiver got; ``headers`` with lower-case names."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """A running receiver at ``url`` (``http://127.0.0.1:PORT``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[Request] = []
        self._answers: deque[int] = deque()
        self.default_status = 204
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                receiver._handle(self)

            do_GET = do_PUT = do_POST  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self.url = f"http://{HOST}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._requests)

    def answer(self, *statuses: int) -> None:
        """Answer the next requests with these statuses, in turn, then the default."""
        with self._lock:
            self._answers.extend(statuses)

    def reset(self) -> None:
        """Forget the requests and queued answers; answer 204 at once again."""
        with self._lock:
            self._requests.clear()
            self._answers.clear()
            self.default_status = 204
            self.delay = 0.0

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> WebhookReceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        request = Request(
            handler.command,
            handler.path,
            {name.lower(): value for name, value in handler.headers.items()},
            body,
        )
        with self._lock:
            self._requests.append(request)
            status = self._answers.popleft() if self._answers else self.default_status
            delay = self.delay
        if delay:
            time.sleep(delay)
        content = b"" if status == 204 or 300 <= status < 400 else f"status {status}".encode()
        try:
            handler.send_response(status)
            if 300 <= status < 400:
                handler.send_header("Location", "/elsewhere")
            handler.send_header("Content-Type", "text/plain")
            handler.send_header("Content-Length", str(len(content)))
            handler.end_headers()
            handler.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
            pass


def start_webhook_receiver() -> WebhookReceiver:
    """Start a receiver on a free loopback port (use it as a context manager, or call
    ``stop``)."""
    return WebhookReceiver()
