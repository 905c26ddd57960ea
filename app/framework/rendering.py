"""A board report as a page (HTML) and as a document (PDF).

The page is a Jinja2 template with autoescaping on: titles, narratives, blockers, names
and alert sentences come from people and partners' data, so they are written as text.
Its one inline ``<style>`` is allowed by hash, and nothing else (no script, no remote
resource): the page opens on a closed network and prints as it shows.

The PDF is the page printed by the Chromium the project already installs (headless,
``--print-to-pdf``), on A4, with the page's print stylesheet.
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
from app.framework.charts import trajectory_svg
from app.security_headers import inline_hashes, policy

TEMPLATES = Path(__file__).resolve().parent / "templates"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
PDF_TIMEOUT_S = 60


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["num"] = _num
    return env


def _when(value: Any) -> str:
    """A time as people read it in a paper: to the minute, in UTC."""
    when = value
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(when, datetime):
        if when.tzinfo is not None:
            when = when.astimezone(UTC)
        return when.strftime("%Y-%m-%d %H:%M UTC")
    return "" if value is None else str(value)


def _num(value: Any) -> str:
    if isinstance(value, int | float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return "" if value is None else str(value)


def report_html(report: dict[str, Any], *, demo: bool = False) -> str:
    """The report (as :func:`app.framework.report.board_report` gives it) as a page."""
    charts = {
        m["measure"]["code"]: trajectory_svg(m["risks"], m["measure"]["title"])
        for m in report["measures"]
        if m["risks"]
    }
    css = (TEMPLATES / "board_report.css").read_text(encoding="utf-8")
    shown = {
        **report,
        "as_of": _when(report["as_of"]) if report["as_of"] else None,
        "generated_at": _when(report["generated_at"]),
    }
    return (
        _environment()
        .get_template("board_report.html")
        .render(**shown, charts=charts, css=css, demo=demo)
    )


def page_policy(document: str) -> str:
    """The page's Content-Security-Policy: its inline style by hash, images as data."""
    hashes = inline_hashes(document)
    return policy({"default-src": ["'none'"], "style-src": hashes["style"] or ["'none'"],
                   "img-src": ["data:"]})  # fmt: skip


def chromium() -> str | None:
    """The Chromium to print with: ``NIS_CHROMIUM``, else the first on PATH."""
    given = os.environ.get("NIS_CHROMIUM")
    if given:
        return given
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def report_pdf(document: str, *, timeout: float = PDF_TIMEOUT_S) -> bytes:
    """The page printed to PDF by headless Chromium (raises PdfUnavailableError)."""
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
