"""Changing the framework: bad input is a clear 422 that stores nothing, every change is
kept with who and when, a stale version is refused, an update is never changed, people's
text is shown as text, and a spreadsheet imports all or nothing."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy.exc

from app.access.service import create_key
from app.access.viewer import CLI
from app.db import unit_of_work
from app.errors import FrameworkRejectedError
from app.framework import importer, service
from tests.framework.conftest import Site

F = "/api/framework"


@pytest.fixture(scope="module")
def admin(site: Site) -> Iterator[httpx.Client]:
    with unit_of_work(site.db_url) as session:
        key = create_key(session, None, admin=True, label="framework changes")
    with httpx.Client(
        base_url=site.url, headers={"Authorization": f"Bearer {key}"}, timeout=120
    ) as client:
        yield client


MEASURE = {
    "code": "test-burglary",
    "title": "Test burglary",
    "indicator": "burglary",
    "baseline_period": "2021-03",
    "lead_board": "executive",
}


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"indicator": "no_such_thing"}, "There is no indicator 'no_such_thing'"),
        ({"baseline_period": "March 2021x"}, "baseline_period"),
        ({"code": "Not a code!"}, "is not a code"),
        ({"scope": "gap", "statistic": "rate"}, "statistic gap or sii goes with scope gap"),
        ({"scope": "area"}, "needs area_code"),
        ({"lead_board": "no-board"}, "There is no board 'no-board'"),
        ({"targets": [{"due_period": "2020-12", "value": 1}]}, "is not after the baseline"),
        (
            {
                "targets": [
                    {
                        "due_period": "2024-12",
                        "value": 1,
                        "trajectory": "seasonal",
                        "profile": [1, 2],
                    }
                ]
            },
            "needs 12 positive weights",
        ),
        ({"title": "a\u0007bell"}, "control characters"),
        ({"statistic": "level"}, "is a count: measure it as a rate"),
        ({"targets": [{"due_period": "2024-12", "value": 1e300}]}, "is not a number between"),
    ],
)
def test_a_bad_measure_is_refused_with_its_reason(
    admin: httpx.Client, site: Site, change: dict, said: str
) -> None:
    before = site.sql("SELECT count(*) FROM framework_revision")[0][0]
    response = admin.post(f"{F}/measures", json={**MEASURE, **change})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert said in response.json()["detail"]
    assert site.sql("SELECT count(*) FROM framework_revision")[0][0] == before


def test_an_unknown_field_is_refused(admin: httpx.Client) -> None:
    response = admin.post(f"{F}/measures", json={**MEASURE, "taregt": 3})
    assert response.status_code == 400  # the API's validation problems are 400s
    assert "taregt" in response.text


def test_every_change_is_kept_with_who_and_when(admin: httpx.Client, site: Site) -> None:
    made = admin.post(f"{F}/measures", json=MEASURE)
    assert made.status_code == 201, made.text
    assert made.json()["version"] == 1
    changed = admin.patch(
        f"{F}/measures/test-burglary", json={"title": "Burglary (test)", "version": 1}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    stale = admin.patch(f"{F}/measures/test-burglary", json={"title": "Again", "version": 1})
    assert stale.status_code == 409
    assert "version 2, not 1" in stale.json()["detail"]
    history = admin.get(f"{F}/revisions/measure/test-burglary").json()
    assert [(h["version"], h["op"]) for h in history] == [(1, "create"), (2, "update")]
    assert history[0]["data"]["title"] == "Test burglary"
    assert history[1]["data"]["title"] == "Burglary (test)"
    assert all(h["actor"].startswith("key ") for h in history)
    same = admin.patch(f"{F}/measures/test-burglary", json={"title": "Burglary (test)"})
    assert same.json()["version"] == 2, "a change to what it was is no change"


def test_an_update_is_given_once_and_never_changed(site: Site) -> None:
    with site.officer() as owner:
        first = owner.post(
            f"{F}/actions/obesity-active-schools/updates",
            json={"cycle": "2031-01", "narrative": "First.", "progress": 61},
        )
        again = owner.post(
            f"{F}/actions/obesity-active-schools/updates",
            json={"cycle": "2031-01", "narrative": "Second."},
        )
        action = owner.get(f"{F}/actions/obesity-active-schools").json()
    assert first.status_code == 201, first.text
    assert again.status_code == 422
    assert "an update is never changed" in again.json()["detail"]
    assert action["percent_complete"] == 61
    assert action["updates"][0]["narrative"] == "First."
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="immutable"):
        site.sql(
            "UPDATE action_update SET narrative = 'rewritten' WHERE id = :i", i=first.json()["id"]
        )
    with site.as_user("sam.patel") as other:
        theirs = other.post(
            f"{F}/actions/obesity-active-schools/updates",
            json={"cycle": "2031-02", "narrative": "Not mine to give."},
        )
    assert theirs.status_code == 403


def test_peoples_text_is_shown_as_text(site: Site) -> None:
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    with site.officer() as owner:
        made = owner.post(
            f"{F}/actions",
            json={
                "code": "hostile-text",
                "title": hostile,
                "description": hostile,
                "measures": [{"measure": "obesity-year6"}],
            },
        )
        assert made.status_code == 201, made.text
        owner.post(
            f"{F}/actions/hostile-text/updates",
            json={"cycle": "2031-01", "narrative": hostile, "blockers": hostile},
        )
        page = owner.get(f"{F}/boards/health-wellbeing/report.html").text
    assert "<script>alert(2)" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page


SHEETS = {
    "boards.csv": "code,name,kind,members\nimport-board,Imported Board,thematic,demo.officer\n",
    "measures.csv": (
        "code,title,indicator,baseline_period,lead_board\n"
        "import-violence,Imported violence,violence_sexual_offences,2021-03,import-board\n"
    ),
    "targets.csv": "measure,due_period,value\nimport-violence,2024-12,2.5\n",
}


def _sheets(files: dict[str, str]) -> list[importer.Sheet]:
    return [importer.read_sheet(name, body.encode()) for name, body in files.items()]


def test_a_spreadsheet_imports_all_or_nothing(site: Site) -> None:
    broken = {
        **SHEETS,
        "targets.csv": "measure,due_period,value\nimport-violence,2024-12,lots\n"
        "no-measure,2024-12,1\n",
    }
    before = site.sql("SELECT count(*) FROM framework_revision")[0][0]
    with unit_of_work(site.db_url) as session, pytest.raises(FrameworkRejectedError) as refused:
        importer.import_sheets(session, CLI, _sheets(broken))
    errors = refused.value.errors
    assert [(e["file"], e["row"], e["column"]) for e in errors] == [
        ("targets.csv", 2, "value"),
        ("targets.csv", 3, "measure"),
    ]
    assert errors[0]["value"] == "lots"
    assert errors[1]["value"] == "no-measure"
    assert "There is no measure 'no-measure'" in errors[1]["reason"]
    assert site.sql("SELECT count(*) FROM framework_revision")[0][0] == before
    with unit_of_work(site.db_url) as session:
        done = importer.import_sheets(session, CLI, _sheets(SHEETS))
    assert done.counts == {"boards": 1, "measures": 1, "targets": 1}
    after = site.sql("SELECT count(*) FROM framework_revision")[0][0]
    with unit_of_work(site.db_url) as session:
        importer.import_sheets(session, CLI, _sheets(SHEETS))
    assert site.sql("SELECT count(*) FROM framework_revision")[0][0] == after, "idempotent"


def test_a_sheet_with_a_wrong_column_says_which(site: Site) -> None:
    with pytest.raises(FrameworkRejectedError, match=r"has column.s. colour that a boards sheet"):
        importer.read_sheet("boards.csv", b"code,name,colour\nb,B,red\n")
    with pytest.raises(FrameworkRejectedError, match=r"lacks column.s. title"):
        importer.read_sheet("measures.csv", b"code,indicator,baseline_period\nm,burglary,2021-03\n")
    assert site.sql("SELECT count(*) FROM board WHERE code = 'b'") == [(0,)]


def test_the_demo_framework_is_in_the_database(site: Site) -> None:
    counts = site.sql(
        "SELECT (SELECT count(*) FROM board), (SELECT count(*) FROM measure), "
        "(SELECT count(*) FROM action), (SELECT count(*) FROM board_report)"
    )[0]
    assert counts[0] >= 6
    assert counts[1] >= 5
    assert counts[2] >= 6
    assert counts[3] >= 4


def test_an_interest_registered_twice_is_refused_whatever_its_case(site: Site) -> None:
    with site.officer() as member:
        again = member.post(
            f"{F}/boards/executive/interests", json={"kind": "measure", "code": "Burglary-Down"}
        )
    assert again.status_code == 422, again.text
    assert "has an interest in measure 'burglary-down' already" in again.json()["detail"]


def test_an_alert_is_shown_with_an_action_only_to_who_may_see_its_indicators(
    site: Site,
) -> None:
    snapshot = {
        "measures": [],
        "areas": [],
        "alert_id": 7,
        "alert_sentence": "Secret in 032C",
        "alert_indicators": ["burglary", "an_indicator_this_viewer_may_not_see"],
    }
    with unit_of_work(site.db_url) as session:
        seen = service.seen_action(session, CLI, snapshot)
        open_ = service.seen_action(session, CLI, {**snapshot, "alert_indicators": ["burglary"]})
    assert (seen["alert_id"], seen["alert_sentence"], seen["alert_indicators"]) == (None, None, [])
    assert open_["alert_sentence"] == "Secret in 032C"


def test_a_nul_in_any_text_is_a_400_not_a_database_error(admin: httpx.Client) -> None:
    for url, body in [
        (f"{F}/measures", {**MEASURE, "area_code": "E0\x001"}),
        (f"{F}/boards/executive/members", {"username": "demo\x00officer"}),
        (f"{F}/boards/executive/interests", {"kind": "action", "code": "x\x00"}),
    ]:
        response = admin.post(url, json=body)
        assert response.status_code == 400, (url, response.text)
        assert "NUL" in response.text
