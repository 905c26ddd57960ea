"""Alerts officers can act on, on the demo city: plain sentences with the statistics in
``details``, where the map should go, when an alert was first raised, and officers'
acknowledgements and assignments (signed-in officers only; names never public), which
follow the alert into the next run that raises it again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.access.service import create_key
from app.access.sessions import COOKIE, CSRF_HEADER
from app.access.users import create_local_user
from app.access.viewer import CLI
from app.analysis.sentences import JARGON, ratio_words, window_label
from app.db import make_engine, unit_of_work
from app.indicators.periods import PeriodType
from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database

PASSWORD = "lantern orchard pebble 58"
OFFICERS = ("officer.one", "analyst.two")


@pytest.fixture(scope="module")
def city(demo_template: str, databases: ThrowawayDatabases) -> str:
    url = clone_database(demo_template, "nis_test_alert_handling", databases)
    with unit_of_work(url) as session:
        create_local_user(session, CLI, "officer.one", PASSWORD, "officer", display_name="Jo One")
        create_local_user(session, CLI, "analyst.two", PASSWORD, "analyst", "police")
        create_local_user(session, CLI, "gone.three", PASSWORD, "officer")
        session.execute(
            text("UPDATE app_user SET disabled_at = now() WHERE username = 'gone.three'")
        )
    return url


@pytest.fixture(scope="module")
def site(city: str) -> Iterator[str]:
    settings = Settings(database_url=city, analysis_after_upload=False)
    with LiveServer(settings) as server:
        yield server.url


@pytest.fixture(scope="module")
def keys(city: str) -> dict[str, str]:
    with unit_of_work(city) as session:
        return {
            "read": create_key(session, "police", label="alerts read", scope="read"),
            "admin": create_key(session, None, admin=True, label="alerts admin"),
        }


def _client(site: str, who: str, keys: dict[str, str]) -> httpx.Client:
    if who == "public":
        return httpx.Client(base_url=site, timeout=120)
    if who in keys:
        headers = {"Authorization": f"Bearer {keys[who]}"}
        return httpx.Client(base_url=site, headers=headers, timeout=120)
    signed = httpx.post(
        f"{site}/api/auth/sign-in", json={"username": who, "password": PASSWORD}, timeout=60
    )
    assert signed.status_code == 200, signed.text
    return httpx.Client(
        base_url=site,
        cookies={COOKIE: signed.cookies[COOKIE]},
        headers={CSRF_HEADER: str(signed.json()["csrf_token"])},
        timeout=120,
    )


@pytest.fixture(scope="module")
def clients(site: str, keys: dict[str, str]) -> Iterator[dict[str, httpx.Client]]:
    made = {who: _client(site, who, keys) for who in ("public", "read", "admin", *OFFICERS)}
    yield made
    for client in made.values():
        client.close()


def _alerts(client: httpx.Client, **params: Any) -> dict[str, Any]:
    response = client.get("/api/alerts", params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
def first(clients: dict[str, httpx.Client]) -> dict[str, Any]:
    """The demo's run as an administrator's key sees it (every figure)."""
    return _alerts(clients["admin"])


def _planted(body: dict[str, Any]) -> dict[str, Any]:
    found = [
        a
        for a in body["alerts"]
        if a["kind"] == "correlated" and "criminal_damage_arson" in a["indicators"]
    ]
    assert found, [a["sentence"] for a in body["alerts"]]
    return found[0]


# ------------------------------------------------------------------------ the words


def test_ratios_are_said_in_words() -> None:
    assert ratio_words(2.4) == "more than doubled"
    assert ratio_words(1.5) == "rose by about half"
    assert ratio_words(1.93) == "nearly doubled"
    assert ratio_words(1.3) == "rose by about 30%"
    assert ratio_words(3.1).startswith("rose to about three times")
    assert ratio_words(0.5) == "roughly halved"
    assert ratio_words(0.7) == "fell by about 30%"


def test_a_window_is_labelled_with_its_periods() -> None:
    months = [f"2023-{m:02d}" for m in range(1, 13)]
    assert window_label(months, PeriodType.MONTH) == "the 12 months 2023-01 to 2023-12"
    assert window_label(["2023/24"], PeriodType.ACADEMIC_YEAR) == "2023/24"
    assert window_label(["2021", "2022", "2023"], PeriodType.CALENDAR_YEAR) == (
        "the 3 years 2021 to 2023"
    )


def test_no_sentence_of_the_demo_holds_a_statistical_term(
    clients: dict[str, httpx.Client], first: dict[str, Any]
) -> None:
    public = _alerts(clients["public"])
    assert first["alerts"]
    assert public["alerts"]
    for alert in [*first["alerts"], *public["alerts"]]:
        for term in JARGON:
            assert term.lower() not in alert["sentence"].lower(), (term, alert["sentence"])
        assert "points (" not in alert["sentence"] or "percentage points" in alert["sentence"]


def test_the_statistics_are_in_the_details(first: dict[str, Any]) -> None:
    for alert in first["alerts"]:
        assert alert["details"], alert
        assert all(isinstance(d, str) and d for d in alert["details"])
        assert any(d.startswith("False discovery rate q") for d in alert["details"])
    hotspots = [a for a in first["alerts"] if a["kind"] == "hotspot"]
    assert hotspots, "the demo has a cluster"
    assert any(d.startswith("Getis-Ord Gi* z = ") for d in hotspots[0]["details"])


def test_the_correlated_alert_names_each_indicator_and_agency_in_plain_words(
    first: dict[str, Any],
) -> None:
    planted = _planted(first)
    sentence = planted["sentence"]
    # It leads with its strongest indicator (listed first), the other alongside.
    words = {"criminal_damage_arson": "criminal damage and arson (police)",
             "persistent_absence": "persistent absence (schools)"}  # fmt: skip
    lead, other = planted["indicators"]
    assert sentence.startswith(f"{words[lead].capitalize()} in Sheffield "), sentence
    assert f"At the same time, {words[other]}" in sentence
    assert "two indicators of police and schools getting worse together" in sentence
    assert "compared with what the rest of the city would predict" in sentence
    # A percentage changes by percentage points, its values carry their unit.
    assert "percentage points (from " in sentence
    assert "% to " in sentence
    assert any(w in sentence for w in ("doubled", "trebled", "times", "about half", "rose by"))


# ------------------------------------------------------------------- map and window


def test_each_alert_says_what_the_map_should_show(
    clients: dict[str, httpx.Client], first: dict[str, Any]
) -> None:
    catalogue = clients["admin"].get("/api/indicators").json()
    period_type = {i["code"]: i["period_type"] for i in catalogue}
    for alert in first["alerts"]:
        where, window = alert["map"], alert["window"]
        # The first of its indicators with the finest periods: months before school years.
        monthly = [c for c in alert["indicators"] if period_type[c] == "month"]
        assert where["indicator"] == (monthly or alert["indicators"])[0]
        assert where["type"] == alert["area_type"]
        assert where["period"] == window["to"]
        assert window["label"]
        assert window["periods"] >= 1
        if alert["kind"] == "hotspot":
            assert where["areas"] == alert["stats"]["areas"]
            assert len(where["areas"]) >= 3
            assert alert["area_code"] in where["areas"]
        elif alert["kind"] == "gap":
            assert where["areas"] == []
        else:
            assert where["areas"] == [alert["area_code"]]
    planted = _planted(first)
    assert planted["map"]["indicator"] == "criminal_damage_arson"
    assert planted["window"] == {
        "from": "2023-01",
        "to": "2023-12",
        "periods": 12,
        "label": "the 12 months 2023-01 to 2023-12",
    }


def test_the_profile_gives_its_alerts_the_same_fields(
    clients: dict[str, httpx.Client], first: dict[str, Any]
) -> None:
    planted = _planted(first)
    profile = clients["admin"].get(f"/api/areas/{planted['area_code']}/profile").json()
    same = [a for a in profile["alerts"] if a["id"] == planted["id"]]
    assert same
    assert same[0]["map"] == planted["map"]
    assert same[0]["window"] == planted["window"]


def test_a_new_alert_was_raised_by_its_own_run(first: dict[str, Any]) -> None:
    for alert in first["alerts"]:
        assert alert["first_run_id"] == alert["run_id"] == first["run"]
        assert alert["raised_at"] == alert["created_at"]


# ------------------------------------------------------ acknowledgement and assignment


def test_the_public_and_keys_may_not_act_on_alerts(
    clients: dict[str, httpx.Client], first: dict[str, Any]
) -> None:
    alert = first["alerts"][0]["id"]
    url = f"/api/alerts/{alert}/acknowledgements"
    assert clients["public"].post(url, json={}).status_code == 401
    assert clients["read"].post(url, json={}).status_code == 403
    assert clients["admin"].post(url, json={}).status_code == 403
    assign = f"/api/alerts/{alert}/assignment"
    assert clients["public"].post(assign, json={"user": "officer.one"}).status_code == 401
    assert clients["read"].post(assign, json={"user": "officer.one"}).status_code == 403
    assert clients["public"].get(f"/api/alerts/{alert}/history").status_code == 401


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/alerts/999999/acknowledgements", {}, 404),
        ("/api/alerts/99999999999/acknowledgements", {}, 400),
        ("/api/alerts/{id}/acknowledgements", {"note": "a\x00b"}, 400),
        ("/api/alerts/{id}/acknowledgements", {"note": "x" * 2001}, 400),
        ("/api/alerts/{id}/acknowledgements", {"notes": "misspelt"}, 400),
        ("/api/alerts/{id}/assignment", {"user": "nobody.here"}, 400),
        ("/api/alerts/{id}/assignment", {"user": "gone.three"}, 400),
        ("/api/alerts/{id}/assignment", {"user": "x\x00"}, 400),
        ("/api/alerts/{id}/assignment", {}, 400),
        ("/api/alerts/999999/assignment", {"user": "officer.one"}, 404),
    ],
)
def test_bad_requests_are_4xx_naming_why(
    clients: dict[str, httpx.Client],
    first: dict[str, Any],
    path: str,
    body: dict[str, Any],
    status: int,
) -> None:
    url = path.replace("{id}", str(first["alerts"][0]["id"]))
    response = clients["officer.one"].post(url, json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.fixture(scope="module")
def acted(clients: dict[str, httpx.Client], first: dict[str, Any], city: str) -> dict[str, Any]:
    """The planted alert acknowledged by officer.one and assigned to analyst.two (who
    then acknowledges it too), then the analysis run again: the next run's alerts."""
    planted = _planted(first)
    officer = clients["officer.one"]
    url = f"/api/alerts/{planted['id']}"
    made = officer.post(f"{url}/acknowledgements", json={"note": "  Told the PCSO team  "})
    assert made.status_code == 201, made.text
    assigned = officer.post(f"{url}/assignment", json={"user": "Analyst.Two"})
    assert assigned.status_code == 200, assigned.text
    again = clients["analyst.two"].post(f"{url}/acknowledgements", json={})
    assert again.status_code == 201, again.text
    run = clients["admin"].post("/api/analysis/runs", json={})
    assert run.status_code == 201, run.text
    return {"made": made.json(), "assigned": assigned.json(), "next": _alerts(clients["admin"])}


def test_an_acknowledgement_records_who_when_and_the_note(acted: dict[str, Any]) -> None:
    made = acted["made"]
    assert made["acknowledged"]["by"] == "officer.one"
    assert made["acknowledged"]["by_name"] == "Jo One"
    assert made["acknowledged"]["note"] == "Told the PCSO team"
    assert made["acknowledged"]["at"]
    assigned = acted["assigned"]["assigned_to"]
    assert (assigned["name"], assigned["by"]) == ("analyst.two", "officer.one")


def test_the_next_run_carries_the_series_and_its_handling(
    first: dict[str, Any], acted: dict[str, Any]
) -> None:
    planted, later = _planted(first), _planted(acted["next"])
    assert acted["next"]["run"] > first["run"]
    assert later["id"] != planted["id"]
    assert later["run_id"] == acted["next"]["run"]
    assert later["first_run_id"] == first["run"]
    assert later["raised_at"] == planted["raised_at"]
    # The latest acknowledgement stands; the assignment follows the alert.
    assert later["acknowledged"]["by"] == "analyst.two"
    assert later["acknowledged"]["note"] is None
    assert later["assigned_to"]["name"] == "analyst.two"
    others = [a for a in acted["next"]["alerts"] if a["id"] != later["id"]]
    assert all(a["acknowledged"] is None and a["assigned_to"] is None for a in others)


def test_the_history_keeps_every_act(
    clients: dict[str, httpx.Client], first: dict[str, Any], acted: dict[str, Any]
) -> None:
    later = _planted(acted["next"])
    response = clients["read"].get(f"/api/alerts/{later['id']}/history")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["alert"], body["first_run_id"]) == (later["id"], first["run"])
    events = [(e["action"], e["by"], e.get("note"), e.get("name")) for e in body["events"]]
    assert events == [
        ("acknowledged", "officer.one", "Told the PCSO team", None),
        ("assigned", "officer.one", None, "analyst.two"),
        ("acknowledged", "analyst.two", None, None),
    ]
    assert {e["alert_id"] for e in body["events"]} == {_planted(first)["id"]}


def test_the_public_never_sees_who_handles_an_alert(
    clients: dict[str, httpx.Client], acted: dict[str, Any]
) -> None:
    later = _planted(acted["next"])
    public = [a for a in _alerts(clients["public"])["alerts"] if a["id"] == later["id"]]
    assert public
    assert public[0]["acknowledged"] is None
    assert public[0]["assigned_to"] is None
    assert "officer.one" not in str(_alerts(clients["public"]))
    partner = [a for a in _alerts(clients["read"])["alerts"] if a["id"] == later["id"]]
    assert partner[0]["acknowledged"]["by"] == "analyst.two"


def test_acts_are_audited_and_never_changed(acted: dict[str, Any], city: str) -> None:
    engine = make_engine(city)
    try:
        with engine.connect() as conn:
            actions = conn.execute(
                text(
                    "SELECT action, actor FROM audit_event WHERE action LIKE 'alert.%' ORDER BY id"
                )
            ).all()
        assert [tuple(a) for a in actions] == [
            ("alert.acknowledge", "user officer.one"),
            ("alert.assign", "user officer.one"),
            ("alert.acknowledge", "user analyst.two"),
        ]
        with pytest.raises(DBAPIError, match="never changed"), engine.begin() as conn:
            conn.execute(text("UPDATE alert_acknowledgement SET note = 'rewritten'"))
    finally:
        engine.dispose()


def test_an_alert_is_assigned_only_to_someone_who_may_see_it(
    clients: dict[str, httpx.Client], acted: dict[str, Any], city: str
) -> None:
    """An alert of police's agency-only indicator: police's analyst may assign it to
    themselves, not to an officer of the partnership as a whole, who may not see it."""
    later = _planted(acted["next"])
    engine = make_engine(city)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE indicator SET visibility = 'agency' WHERE code = :c"),
                         {"c": "bicycle_theft"})  # fmt: skip
            made = conn.execute(
                text(
                    "INSERT INTO alert (run_id, kind, area_type, area_id, indicators, agencies, "
                    "period_from, period_to, q, sentence, first_run_id) SELECT run_id, "
                    "'deterioration', area_type, area_id, ARRAY['bicycle_theft'], "
                    "ARRAY['police'], period_from, period_to, 0.01, 'Bicycle theft rose.', "
                    "run_id FROM alert WHERE id = :a RETURNING id"
                ),
                {"a": later["id"]},
            ).scalar_one()
    finally:
        engine.dispose()
    url = f"/api/alerts/{made}/assignment"
    refused = clients["analyst.two"].post(url, json={"user": "officer.one"})
    assert refused.status_code == 400, refused.text
    assert "may not see this alert" in refused.json()["detail"]
    assert clients["analyst.two"].post(url, json={"user": "analyst.two"}).status_code == 200
    # And the officer who may not see it cannot act on it: as if it did not exist.
    hidden = clients["officer.one"].post(f"/api/alerts/{made}/acknowledgements", json={})
    assert hidden.status_code == 404
