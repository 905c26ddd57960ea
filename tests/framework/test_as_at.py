"""A report regenerated as it stood at a past time shows what the board saw then, and
lists the revisions made since: of the framework (a target changed) and of the data (a
partner's revised values)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import httpx

from app.access.service import create_key
from app.access.viewer import CLI
from app.db import unit_of_work
from app.framework import service
from tests.framework.conftest import Site

F = "/api/framework"
BOARD = "successful-neighbourhoods"


def _measure(report: dict, code: str) -> dict:
    return next(m for m in report["measures"] if m["measure"]["code"] == code)


def test_a_report_as_it_stood_shows_what_the_board_saw(site: Site) -> None:
    with site.officer() as client:
        issued = client.post(f"{F}/boards/{BOARD}/reports")
        assert issued.status_code == 201, issued.text
        then = issued.json()
        at = then["report"]["issued_at"]
        before = _measure(then, "burglary-down")
    # Later: police revise a month of burglaries, and the target is changed.
    with unit_of_work(site.db_url) as session:
        key = create_key(session, "police", label="as-at test")
    lsoa = site.sql("SELECT code FROM area WHERE type_code = 'lsoa' ORDER BY code LIMIT 1")[0][0]
    body = f"area_code,period,indicator,value\n{lsoa},2023-12,burglary,250\n"
    upload = httpx.post(
        f"{site.url}/api/observations",
        content=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv"},
        timeout=120,
    )
    assert upload.status_code == 200, upload.text
    batch = upload.json()["batch"]
    with unit_of_work(site.db_url) as session:
        service.set_target(session, CLI, "burglary-down", {"due_period": "2024-12", "value": 0.3})
    with site.officer() as client:
        now = client.get(f"{F}/boards/{BOARD}/report").json()
        as_at = client.get(f"{F}/boards/{BOARD}/report?at={quote(at)}")
        page = client.get(f"{F}/boards/{BOARD}/report.html?at={quote(at)}").text
    assert as_at.status_code == 200, as_at.text
    past = as_at.json()
    # Now: the new target and the revised data.
    assert _measure(now, "burglary-down")["risks"]["target"]["value"] == 0.3
    # As it stood: the assessment the board saw, target and all, exactly.
    seen = _measure(past, "burglary-down")
    assert seen["assessment"] == before["assessment"]
    assert seen["risks"] == before["risks"]
    assert seen["measure"]["targets"] == before["measure"]["targets"]
    assert datetime.fromisoformat(past["generated_at"]) == datetime.fromisoformat(at)
    assert past["batch_mark"] == then["batch_mark"] < batch
    # And what changed since.
    since = past["revisions_since"]
    assert [(r["entity"], r["code"]) for r in since["framework"]] == [("measure", "burglary-down")]
    assert [b["id"] for b in since["batches"]] == [batch]
    assert since["batches"][0]["indicators"] == ["burglary"]
    assert "Revisions since this report" in page
    assert f"batch {batch}" in page


def test_a_report_before_a_board_existed_is_not_found(site: Site) -> None:
    with site.officer() as client:
        early = client.get(f"{F}/boards/{BOARD}/report?at=2000-01-01T00:00:00Z")
    assert early.status_code == 404
    assert early.headers["content-type"].startswith("application/problem+json")
