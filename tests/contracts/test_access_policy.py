"""Every read route, walked by the public, an agency and an administrator: what each
response shows is what the one policy (app.access.policy) answers for that viewer.

- an indicator the policy hides does not exist (404) on any route, and lists leave it
  out (the catalogue, OGC collections, alerts, profiles);
- a value is suppressed exactly where the policy says, judged against the count behind
  it as an administrator reads it;
- batches show as the policy allows; runs and agencies need a key (and agencies an
  administrator's);
- raw events are never served, and reads that depend on no viewer are the same for all.
"""

from __future__ import annotations

import io
from typing import Any

import geopandas as gpd
import pytest
from sqlalchemy import text

from app.access import policy
from app.db import unit_of_work
from app.indicators.indicator import Indicator
from app.observations import disclosure
from tests.contracts.conftest import EVENT_IDS, WHO, City
from tests.contracts.reads import (
    FRAMEWORK_READS,
    INDICATORS,
    PARTNERS_ONLY,
    READS,
    SMALL_COUNTS,
    SMALL_SHARES,
    Read,
    admin_truth,
    is_value_read,
    newest_period,
    shown_values,
)

# Reads whose body depends on who asks (the rest must be the same for everyone).
VIEWER_DEPENDENT = {
    "/api/indicators", "/api/batches", "/api/batches/{batch_id}", "/api/agencies",
    "/api/alerts", "/api/analysis/runs", "/api/analysis/runs/{run_id}",
    "/api/areas/{code}/profile", "/api/areas/{code}/report.html",
    "/api/areas/{code}/report.pdf", "/ogc/collections", "/api/auth/session", "/api/users",
    "/api/keys", "/api/audit", "/api/custom-areas", "/api/custom-areas/{code}",
    # Partners only (who acknowledged an alert, and why, is not public).
    "/api/alerts/{alert_id}/history",
    # Partners see the demo's partnership custom area; the public does not.
    "/api/area-types",
    # The performance framework is the partnership's (the public gets 401), and each
    # partner sees the measures of the indicators they may see.
    *(read.route for read in FRAMEWORK_READS),
}  # fmt: skip
# Single sign-on, which the contracts' city does not configure (404 for everyone).
NOT_CONFIGURED = {"/api/auth/sso/start", "/api/auth/sso/callback"}
# Reads that differ between calls whoever asks (a timestamp).
TIMESTAMPED = {"/ogc/collections/{collection_id}/items"}


def _get(city: City, who: str, read: Read) -> Any:
    with city.client(who) as client:
        return client.get(read.url(city), headers=read.headers)


def _expected_suppressed(
    city: City, who: str, indicator: Indicator, row: dict[str, Any], area: str | None = None
) -> bool:
    """The policy's answer for the viewer: partners see every count; the public sees none
    below the threshold, nor those hidden beside them (test_differencing.py shows that
    the complementary ones are enough)."""
    if policy.sees_small_counts(city.viewers[who]):
        return False
    hidden = _public_mask(city, indicator)
    count = indicator.count_behind(row["value"], row["numerator"], row["denominator"])
    threshold = indicator.disclosure_threshold or 0
    key = (area or row["area_code"], row["period"])
    assert count is None or count >= threshold or key in hidden, (key, count)
    return key in hidden


_MASKS: dict[str, set[tuple[str, str]]] = {}


def _public_mask(city: City, indicator: Indicator) -> set[tuple[str, str]]:
    """The cells the disclosure module hides from the public, by area code and period."""
    if indicator.code not in _MASKS:
        with unit_of_work(city.db_url) as session:
            mask = disclosure.public_mask(session, indicator)
            codes = dict(session.execute(text("SELECT id, code FROM area")).all())
        _MASKS[indicator.code] = {(codes[a], p) for a, p in mask.cells}
    return _MASKS[indicator.code]


# --- indicators a viewer may not see do not exist -----------------------------------------

INDICATOR_READS = [read for read in READS if read.indicator is not None]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("read", INDICATOR_READS, ids=[r.name for r in INDICATOR_READS])
def test_an_indicator_is_found_exactly_where_the_policy_lets_its_viewer_see_it(
    city: City, read: Read, who: str
) -> None:
    assert read.indicator is not None
    visible = policy.may_see_indicator(city.viewers[who], city.indicators[read.indicator])
    response = _get(city, who, read)
    assert response.status_code == (200 if visible else 404), response.text[:300]


@pytest.mark.parametrize("who", WHO)
def test_the_catalogue_lists_what_the_policy_shows(city: City, who: str) -> None:
    with city.client(who) as client:
        listed = {i["code"] for i in client.get("/api/indicators").json()}
    shown = policy.visible(city.viewers[who], city.indicators.values())
    assert listed == {i.code for i in shown}
    assert (PARTNERS_ONLY in listed) == (who != "public")


@pytest.mark.parametrize("who", WHO)
def test_ogc_collections_list_only_visible_indicators(city: City, who: str) -> None:
    with city.client(who) as client:
        listed = {c["id"] for c in client.get("/ogc/collections").json()["collections"]}
    # An indicator's layer at its first type is its code; at the others code.type.
    ids = {i.split(".")[0] for i in listed}
    assert any("." in i for i in listed)
    layers = ids & set(city.indicators)
    assert layers
    for code in layers:
        assert policy.may_see_indicator(city.viewers[who], city.indicators[code])
    hidden = {
        c for c, i in city.indicators.items() if not policy.may_see_indicator(city.viewers[who], i)
    }
    assert not ids & hidden


@pytest.mark.parametrize("who", WHO)
def test_alerts_are_those_of_visible_indicators_and_no_fewer(city: City, who: str) -> None:
    with city.client(who) as client:
        seen = client.get("/api/alerts?limit=1000").json()["alerts"]
    with city.client("admin") as client:
        every = client.get("/api/alerts?limit=1000").json()["alerts"]
    viewer = city.viewers[who]
    allowed = {
        a["id"]
        for a in every
        if all(policy.may_see_indicator(viewer, city.indicators[c]) for c in a["indicators"])
    }
    assert {a["id"] for a in seen} == allowed
    assert every  # the demo's analysis raised alerts


@pytest.mark.parametrize("who", WHO)
def test_a_profile_lists_visible_indicators_and_suppresses_as_the_policy_says(
    city: City, who: str
) -> None:
    with city.client(who) as client:
        entries = client.get(f"/api/areas/{city.lsoa}/profile").json()["indicators"]
    with city.client("admin") as client:
        every = client.get(f"/api/areas/{city.lsoa}/profile").json()["indicators"]
    viewer = city.viewers[who]
    expected = {
        e["indicator"]["code"]
        for e in every
        if policy.may_see_indicator(viewer, city.indicators[e["indicator"]["code"]])
    }
    assert {e["indicator"]["code"] for e in entries} == expected
    truth = {e["indicator"]["code"]: e for e in every}
    for entry in entries:
        indicator = city.indicators[entry["indicator"]["code"]]
        row = truth[indicator.code]
        if entry["window"]:  # a 12-month total: hidden wherever one of its months is
            months = [p["period"] for p in row["series"]][-entry["window"]["months"] :]
            hidden = set() if policy.sees_small_counts(viewer) else _public_mask(city, indicator)
            assert entry["suppressed"] == any((city.lsoa, m) in hidden for m in months)
            latest = {**row["latest_month"], "area_code": city.lsoa}
            expected = _expected_suppressed(city, who, indicator, latest, city.lsoa)
            assert entry["latest_month"]["suppressed"] == expected
        else:
            expected = _expected_suppressed(city, who, indicator, row, city.lsoa)
            assert entry["suppressed"] == expected
        if entry["suppressed"]:
            assert entry["value"] is None


# --- suppressed exactly where the policy says ------------------------------------------------


VALUE_READS = [
    read
    for read in INDICATOR_READS
    if read.indicator in (SMALL_COUNTS, SMALL_SHARES) and is_value_read(read)
]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("read", VALUE_READS, ids=[r.name for r in VALUE_READS])
def test_values_are_suppressed_exactly_where_the_policy_says(
    city: City, read: Read, who: str
) -> None:
    assert read.indicator is not None
    indicator = city.indicators[read.indicator]
    response = _get(city, who, read)
    assert response.status_code == 200, response.text[:300]
    shown = shown_values(read, response)
    by_period = "|" in next(iter(shown))
    newest = None if by_period else newest_period(city, indicator.code)
    truth = admin_truth(city, indicator.code, newest)
    suppressed = 0
    for key, seen in shown.items():
        area, period = key.split("|") if by_period else (key, newest)
        row = truth.get((area, period))
        if row is None:
            assert not seen["suppressed"]
            continue
        expected = _expected_suppressed(city, who, indicator, row)
        assert seen["suppressed"] == expected, (key, row)
        if expected:
            assert seen["value"] is None
            suppressed += 1
    # The cases are chosen so that the public has something suppressed to check.
    assert (suppressed > 0) == (who == "public")


# --- batches, runs, agencies -------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_batches_show_as_the_policy_allows(city: City, who: str) -> None:
    viewer = city.viewers[who]
    with city.client(who) as client:
        listed = client.get("/api/batches?limit=1000")
        one = {b: client.get(f"/api/batches/{b}") for b in (city.schools_batch, city.police_batch)}
    if not policy.is_partner(viewer):
        assert listed.status_code == 401
        assert {r.status_code for r in one.values()} == {401}
        return
    owners = {int(b): a for b, a in city.sql("SELECT id, agency_id FROM batch")}
    expected = {b for b, a in owners.items() if policy.may_see_batch(viewer, a)}
    assert {b["id"] for b in listed.json()} == expected
    for batch, response in one.items():
        assert response.status_code == (200 if policy.may_see_batch(viewer, owners[batch]) else 404)


@pytest.mark.parametrize("who", WHO)
def test_runs_need_a_key_and_agencies_an_administrator(city: City, who: str) -> None:
    viewer = city.viewers[who]
    with city.client(who) as client:
        runs = client.get("/api/analysis/runs")
        agencies = client.get("/api/agencies")
    assert runs.status_code == (200 if policy.is_partner(viewer) else 401)
    expected = 401 if not policy.is_partner(viewer) else 200 if who == "admin" else 403
    assert agencies.status_code == expected


# --- raw events, and reads that depend on no one ----------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_no_read_serves_raw_events(city: City, who: str) -> None:
    # The policy never lets the public see raw events; no route serves them to anyone.
    police = city.viewers["police"].agency_id
    assert police is not None
    assert not policy.may_see_raw_events(city.viewers["public"], police)
    for read in READS:
        response = _get(city, who, read)
        body = response.content
        assert not any(event_id.encode() in body for event_id in EVENT_IDS), read.name


SHARED_READS = [
    read
    for read in READS
    if read.indicator is None and read.route not in VIEWER_DEPENDENT | TIMESTAMPED
]


@pytest.mark.parametrize("read", SHARED_READS, ids=[r.name for r in SHARED_READS])
def test_reads_of_no_indicator_are_the_same_for_every_viewer(city: City, read: Read) -> None:
    bodies = {who: _get(city, who, read) for who in WHO}
    expected = 404 if read.route in NOT_CONFIGURED else 200
    assert {r.status_code for r in bodies.values()} == {expected}
    assert len({_content(read, r.content) for r in bodies.values()}) == 1


def _content(read: Read, body: bytes) -> str | bytes:
    # A GeoPackage records when it was written: compare what it holds.
    if read.kind == "gpkg":
        return str(gpd.read_file(io.BytesIO(body)).to_json())
    return body


def test_the_walk_covers_the_indicators_it_needs(city: City) -> None:
    assert city.indicators[PARTNERS_ONLY].visibility == "partners"
    for code in (SMALL_COUNTS, SMALL_SHARES):
        assert city.indicators[code].disclosure_threshold
    assert set(INDICATORS) <= set(city.indicators)
