"""Pages to read, print and file: Jinja2 templates with autoescaping on, a
Content-Security-Policy that allows their one inline style by hash, and PDF printing by
the headless Chromium the project already installs.

Titles, names, units and sentences come from people and partners' data, so templates
write them as text. A page holds no script and no remote resource: it opens on a closed
network and prints as it shows. Both the performance framework's board report and the
neighbourhood report are rendered here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.errors import PdfUnavailableError
from app.security_headers import inline_hashes, policy

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
PDF_TIMEOUT_S = 60


@cache
def environment(templates: Path) -> Environment:
    """The templates of one folder, autoescaped, with the filters ``when`` and ``num``."""
    env = Environment(
        loader=FileSystemLoader(templates),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    env.filters["num"] = num
    return env


def when(value: Any) -> str:
    """A time as people read it in a paper: to the minute, in UTC."""
    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return "" if value is None else str(value)


def num(value: Any) -> str:
    """A number as a table shows it: three significant figures, thousands separated."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return "" if value is None else str(value)


def page_policy(document: str) -> str:
    """A page's Content-Security-Policy: its inline style by hash, images as data."""
    hashes = inline_hashes(document)
    return policy({"default-src": ["'none'"], "style-src": hashes["style"] or ["'none'"],
                   "img-src": ["data:"]})  # fmt: skip


def chromium() -> str | None:
    """The Chromium to print with: ``NIS_CHROMIUM``, else the first on PATH."""
    given = os.environ.get("NIS_CHROMIUM")
    if given:
        return given
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def print_pdf(document: str, *, timeout: float = PDF_TIMEOUT_S) -> bytes:
    """The page printed to PDF by headless Chromium, with its print stylesheet (its
    ``@page`` size and margins); raises PdfUnavailableError."""
    browser = chromium()
    if browser is None:
        raise PdfUnavailableError(
            "No Chromium to print the PDF with: install Debian's chromium (make setup does) "
            "or set NIS_CHROMIUM to a Chrome or Chromium binary"
        )
    with tempfile.TemporaryDirectory(prefix="nis-pdf-") as tmp:
        page, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(document, encoding="utf-8")
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--no-pdf-header-footer", "--disable-dev-shm-usage",
            f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", page.as_uri(),
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailableError(f"Chromium could not print the report: {exc}") from exc
        if not out.exists() or out.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise PdfUnavailableError(
                f"Chromium printed no PDF (exit {done.returncode}): {' / '.join(tail)}"
            )
        return out.read_bytes()
