"""A board report as a page (HTML) and as a document (PDF).

The page is a Jinja2 template with autoescaping on: titles, narratives, blockers, names
and alert sentences come from people and partners' data, so they are written as text.
Its one inline ``<style>`` is allowed by hash, and nothing else (no script, no remote
resource): the page opens on a closed network and prints as it shows.

The PDF is the page printed by the Chromium the project already installs (headless,
``--print-to-pdf``), on A4, with the page's print stylesheet; the machinery is shared
with the neighbourhood report (:mod:`app.reports.rendering`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.framework.charts import trajectory_svg
from app.reports.rendering import PDF_TIMEOUT_S, chromium, environment, page_policy, print_pdf, when

TEMPLATES = Path(__file__).resolve().parent / "templates"
__all__ = ["chromium", "page_policy", "report_html", "report_pdf"]


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
        "as_of": when(report["as_of"]) if report["as_of"] else None,
        "generated_at": when(report["generated_at"]),
    }
    return (
        environment(TEMPLATES)
        .get_template("board_report.html")
        .render(**shown, charts=charts, css=css, demo=demo)
    )


def report_pdf(document: str, *, timeout: float = PDF_TIMEOUT_S) -> bytes:
    """The page printed to PDF by headless Chromium (raises PdfUnavailableError)."""
    return print_pdf(document, timeout=timeout)
