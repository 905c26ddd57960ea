"""The demo's framework as an officer meets it: boards with their measures' three risks
and reasons, the one childhood-obesity update in both interested boards' reports, the
innovation flag, the action opened from the correlated alert, and the PDF."""

from __future__ import annotations

import re

from tests.framework.conftest import Site

F = "/api/framework"
SHARED = "obesity-active-schools"


def test_an_officer_sees_the_boards_and_the_public_does_not(site: Site) -> None:
    with site.officer() as client:
        boards = client.get(f"{F}/boards")
    assert boards.status_code == 200, boards.text
    kinds = {b["code"]: b["kind"] for b in boards.json()}
    assert kinds["city-partnership"] == "strategic"
    assert kinds["executive"] == "executive"
    assert {
        kinds[c] for c in ("successful-neighbourhoods", "children-young-people", "health-wellbeing")
    } == {"thematic"}
    group = next(b for b in boards.json() if b["code"] == "page-hall-group")
    assert group["kind"] == "task_and_finish"
    assert {m["username"] for m in group["members"]} >= {"sam.patel", "jo.wright", "ali.khan"}
    with site.public() as client:
        assert client.get(f"{F}/boards").status_code == 401
        assert client.get(f"{F}/boards/health-wellbeing/report.html").status_code == 401


def test_each_measure_shows_three_risks_with_their_reasons(site: Site) -> None:
    with site.officer() as client:
        report = client.get(f"{F}/boards/successful-neighbourhoods/report").json()
    measures = {m["measure"]["code"]: m for m in report["measures"]}
    assert set(measures) == {"burglary-down", "violence-down", "damage-deprived"}
    burglary = measures["burglary-down"]["risks"]
    assert burglary["speed"]["level"] in ("low", "medium", "high")
    assert "a year" in burglary["speed"]["reason"]
    assert "Chance of reaching" in burglary["speed"]["reason"]
    assert 0 <= burglary["speed"]["p_on_time"] <= 1
    assert burglary["future"]["level"] in ("red", "amber", "green")
    assert burglary["future"]["lower"] <= burglary["future"]["value"] <= burglary["future"]["upper"]
    verdicts = {e["action"]: e for e in burglary["effectiveness"]}
    assert set(verdicts) == {"burglary-target-hardening", "burglary-cocoon-watch"}
    for verdict in verdicts.values():
        assert verdict["verdict"] in ("working", "not_working")
        assert "comparable area" in verdict["reason"]
        assert verdict["lower"] <= verdict["estimate"] <= verdict["upper"]
    # Not yet delivered is told apart from delivered but not working.
    damage = measures["damage-deprived"]["risks"]["effectiveness"]
    assert [e["verdict"] for e in damage] == ["not_delivered"]
    assert "Not yet delivered" in damage[0]["reason"]


def test_the_shared_update_is_one_row_in_both_boards_reports(site: Site) -> None:
    with site.officer() as client:
        hwb = client.get(f"{F}/boards/health-wellbeing/report").json()
        cyp = client.get(f"{F}/boards/children-young-people/report").json()
        hwb_page = client.get(f"{F}/boards/health-wellbeing/report.html").text
        cyp_page = client.get(f"{F}/boards/children-young-people/report.html").text
    (in_hwb,) = [a for a in hwb["actions"] if a["action"]["code"] == SHARED]
    (in_cyp,) = [a for a in cyp["actions"] if a["action"]["code"] == SHARED]
    assert in_hwb["latest_update"] == in_cyp["latest_update"]
    assert in_cyp["interest"] is True
    assert in_hwb["interest"] is False
    update_id = in_hwb["latest_update"]["id"]
    stored = site.sql("SELECT id FROM action_update WHERE action_id = :a", a=in_hwb["action"]["id"])
    assert [r[0] for r in stored] == [update_id], "one update, never a copy"
    for page in (hwb_page, cyp_page):
        assert f'data-update="{update_id}"' in page
        assert "Twelve of the fifteen schools" in page


def test_the_innovation_flag_is_on_the_lead_boards_agenda(site: Site) -> None:
    with site.officer() as client:
        report = client.get(f"{F}/boards/successful-neighbourhoods/report").json()
        page = client.get(f"{F}/boards/successful-neighbourhoods/report.html").text
    (flag,) = report["flags"]
    assert flag["measure"] == "burglary-down"
    assert "Something new is needed" in flag["reason"]
    assert "Something new is needed" in page
    burglary = next(m for m in report["measures"] if m["measure"]["code"] == "burglary-down")
    assert burglary["risks"]["effective"] is False
    assert burglary["risks"]["speed"]["level"] in ("medium", "high")


def test_only_the_lead_boards_members_take_the_flag_off(site: Site) -> None:
    with site.as_user("jo.wright") as jo:  # not of the Successful Neighbourhoods board
        opened = jo.post(
            f"{F}/actions",
            json={
                "code": "jo-burglary-idea",
                "title": "An idea of Jo's",
                "measures": [{"measure": "burglary-down"}],
            },
        )
        assert opened.status_code == 201, opened.text
        report = jo.get(f"{F}/boards/successful-neighbourhoods/report").json()
    assert [f["measure"] for f in report["flags"]] == ["burglary-down"]


def test_a_new_linked_action_takes_the_flag_off_the_agenda(site: Site) -> None:
    with site.as_user("sam.patel") as sam:
        opened = sam.post(
            f"{F}/actions",
            json={
                "code": "burglary-new-idea",
                "title": "Something new: landlord licensing",
                "status": "not_started",
                "measures": [{"measure": "burglary-down", "lag_months": 6}],
            },
        )
        assert opened.status_code == 201, opened.text
        report = sam.get(f"{F}/boards/successful-neighbourhoods/report").json()
    assert report["flags"] == []
    cleared = site.sql(
        "SELECT a.code FROM innovation_flag f JOIN action a ON a.id = f.cleared_by_action_id"
    )
    assert [r[0] for r in cleared] == ["burglary-new-idea"]


def test_the_correlated_alert_led_to_a_joint_action(site: Site) -> None:
    alert = site.sql(
        "SELECT al.id, a.code, al.period_from FROM alert al JOIN area a ON a.id = al.area_id "
        "WHERE al.kind = 'correlated' AND 'persistent_absence' = ANY(al.indicators) "
        "ORDER BY al.q, al.id"  # the demo plants three; the surest leads to the action
    )[0]
    with site.officer() as client:
        action = client.get(f"{F}/actions/joint-action-{alert.code.lower()}").json()
    assert action["alert_id"] == alert.id
    assert "criminal damage" in action["alert_sentence"].lower()
    assert [a["code"] for a in action["areas"]] == [alert.code]
    assert set(action["partners"]) == {"schools", "community groups"}
    assert action["lead_agency"] == "police"
    # Its areas were chosen on the alert's window: its effect is judged against before it.
    assert action["selected_from"] == f"{alert.period_from}-01"
    assert {m["measure"] for m in action["measures"]} == {"damage-deprived", "absence-gap"}


def test_a_report_downloads_as_a_pdf(site: Site) -> None:
    with site.officer() as client:
        pdf = client.get(f"{F}/boards/health-wellbeing/report.pdf")
    assert pdf.status_code == 200, pdf.text[:300]
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert re.search(
        r'filename="health-wellbeing-report-\d{4}-\d{2}-\d{2}\.pdf"',
        pdf.headers["content-disposition"],
    )
    assert len(pdf.content) > 10_000


def test_the_page_is_marked_and_loads_nothing(site: Site) -> None:
    with site.officer() as client:
        page = client.get(f"{F}/boards/health-wellbeing/report.html")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy.replace("script-src 'none'", "")
    text = page.text
    assert "Partners only" in text
    assert "DEMO" in text
    assert "<script" not in text
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<svg" in text
    assert "Period" in text
