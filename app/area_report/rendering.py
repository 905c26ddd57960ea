"""The neighbourhood report as a page (HTML, printed on two A4 pages) and as a PDF, by
the shared rendering machinery (:mod:`app.reports.rendering`): autoescaped templates,
one inline style allowed by hash, headless Chromium for the PDF.

The footer (source, date the data last changed, copyright and licence lines, the
viewer's marking, DEMO on the demo) is in the ``<tfoot>`` of the table the page is laid
in, which Chromium repeats at the foot of every printed page; the marking and DEMO are
in its ``<thead>``, repeated at the head of every page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.reports.marks import DEMO
from app.reports.rendering import environment, print_pdf

TEMPLATES = Path(__file__).resolve().parent / "templates"


def report_html(report: dict[str, Any]) -> str:
    """The report (as :func:`app.area_report.service.area_report` gives it) as a page."""
    css = (TEMPLATES / "area_report.css").read_text(encoding="utf-8")
    return (
        environment(TEMPLATES)
        .get_template("area_report.html")
        .render(**report, css=css, demo_text=DEMO)
    )


def report_pdf(document: str) -> bytes:
    return print_pdf(document)
