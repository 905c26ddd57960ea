"""The role matrix: every route of the OpenAPI document, asked by every kind of viewer
(the public; an officer signed in and one by a read key; an agency's analyst signed in
and one by an upload key; an administrator signed in and one by key), with the status
:mod:`tests.contracts.matrix` writes down for each, and what each body may reveal:

- the public never sees a partners-only or agency-only indicator's code, nor a small
  count unsuppressed; a partner sees every value, unsuppressed;
- an officer or analyst of another agency never sees an agency-only indicator's code or
  values, on any route (its own routes are 404 exactly as for an indicator that does not
  exist);
- lists (catalogue, collections, batches, keys, runs, profiles) hold what the viewer may
  see, and no more;
- every read of restricted values by a partner leaves its audit row (actor, indicator,
  channel), and no other read does.

Writes are made on a database of their own (``write_city``); a refused write changes
nothing. A route missing from the tables fails ``test_every_route_is_in_the_matrix``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx
import mapbox_vector_tile
import pytest

from tests.contracts.conftest import (
    AGENCY_ONLY,
    AGENCY_ONLY_PERIOD,
    AGENCY_ONLY_SENTINEL,
    AGENCY_ONLY_SMALL,
    KEYS,
    USERS,
    City,
)
from tests.contracts.matrix import (
    CHANNEL,
    CSV,
    EVERYONE,
    GET_STATUS,
    VIEWERS,
    WHO,
    WRITES,
    Write,
    restricted,
    sees,
)
from tests.contracts.reads import (
    PARTNERS_ONLY,
    READS,
    SMALL_SHARES,
    Read,
    admin_truth,
    indicator_reads,
    is_value_read,
    newest_period,
    shown_values,
)
from tests.contracts.test_response_models import OPENAPI

# A public indicator without a disclosure threshold: reading it is never audited.
OPEN = "imd_score"
MATRIX_READS = [*READS, *indicator_reads(OPEN)]
NO_SUCH = "no_such_indicator"
# Cells whose value the matrix checks by name: (area is the fixture's LSOA) period, value.
SMALL_CELLS = {
    SMALL_SHARES: ("2024/25", 25.0),
    AGENCY_ONLY: (AGENCY_ONLY_PERIOD, AGENCY_ONLY_SMALL),
}


def test_every_route_is_in_the_matrix() -> None:
    operations = {(m.upper(), p) for p, ops in OPENAPI["paths"].items() for m in ops}
    walked = {("GET", r.route) for r in MATRIX_READS} | {(w.method, w.route) for w in WRITES}
    assert operations - walked == set(), "routes the matrix does not walk: add them"
    assert walked - operations == set()
    for route, case in GET_STATUS:
        assert any(r.route == route and r.case == case for r in READS), (route, case)


def test_the_matrix_covers_every_visibility(city: City) -> None:
    catalogue = city.indicators
    assert catalogue[AGENCY_ONLY].visibility == "agency"
    assert catalogue[AGENCY_ONLY].agency == "health"
    assert catalogue[PARTNERS_ONLY].visibility == "partners"
    assert not restricted(catalogue[OPEN])
    assert restricted(catalogue[SMALL_SHARES])


# --- reads ----------------------------------------------------------------------------------


def expected_status(city: City, read: Read, who: str) -> int:
    if read.indicator is not None:
        return 200 if sees(who, city.indicators[read.indicator]) else 404
    return GET_STATUS.get((read.route, read.case), EVERYONE)[VIEWERS.index(who)]


@pytest.mark.parametrize("who", VIEWERS)
@pytest.mark.parametrize("read", MATRIX_READS, ids=[r.name for r in MATRIX_READS])
def test_a_read_answers_each_viewer_as_the_matrix_says(city: City, read: Read, who: str) -> None:
    url = read.url(city)
    with city.client(WHO[who].credentials) as client:
        before = _last_audit_id(city)
        response = client.get(url, headers=read.headers)
        after = _last_audit_id(city)
        assert response.status_code == expected_status(city, read, who), response.text[:300]
        _reveals_nothing_hidden(city, read, who, response, client)
    if response.status_code == 200:
        if read.kind == "mvt":
            # One answer per viewer in any cache, and a partner's in their browser only.
            vary = {v.strip() for v in response.headers["vary"].split(",")}
            assert vary == {"Authorization", "Cookie"}
            scope = "private" if WHO[who].partner else "public"
            assert response.headers["cache-control"].startswith(scope)
        if is_value_read(read):
            _values_are_as_the_viewer_may_see_them(city, read, who, response)
        if read.route in LISTS:
            LISTS[read.route](city, who, response)
    _audited_as_restricted(city, read, who, response, urlsplit(url).path, before, after)


def _text(read: Read, response: httpx.Response) -> str:
    """What a body says, as text: a tile's layers and properties; nothing of a PNG."""
    if response.status_code == 200 and read.kind in ("png", "pdf"):
        return ""
    if response.status_code == 200 and read.kind == "mvt":
        layers = mapbox_vector_tile.decode(response.content)
        return json.dumps({k: [f["properties"] for f in v["features"]] for k, v in layers.items()})
    return response.content.decode("utf-8", errors="replace")


def _reveals_nothing_hidden(
    city: City, read: Read, who: str, response: httpx.Response, client: httpx.Client
) -> None:
    hidden = {code for code, i in city.indicators.items() if not sees(who, i)}
    text = _text(read, response)
    if read.indicator in hidden:
        # Answered exactly as an indicator that does not exist (the URL's code echoed).
        other = client.get(read.url(city).replace(read.indicator, NO_SUCH), headers=read.headers)
        assert other.status_code == response.status_code == 404
        assert text.replace(read.indicator, "X") == other.text.replace(NO_SUCH, "X")
        text = text.replace(read.indicator, "")
    assert not {code for code in hidden if code in text}, text[:300]
    if AGENCY_ONLY in hidden:
        assert str(AGENCY_ONLY_SENTINEL) not in text


def _values_are_as_the_viewer_may_see_them(
    city: City, read: Read, who: str, response: httpx.Response
) -> None:
    """Partners see every value as stored; the public none whose count is below the
    threshold (those hidden beside them for complementary suppression are
    test_access_policy.py's and test_differencing.py's)."""
    assert read.indicator is not None
    indicator = city.indicators[read.indicator]
    shown = shown_values(read, response)
    by_period = "|" in next(iter(shown))
    newest = None if by_period else _newest(city, indicator.code)
    truth = _truth(city, indicator.code)
    threshold = indicator.disclosure_threshold or 0
    for key, seen in shown.items():
        area, period = key.split("|") if by_period else (key, newest)
        row = truth.get((area, str(period)))
        if row is None:
            continue
        if WHO[who].partner or not restricted(indicator):
            assert not seen["suppressed"], (key, row)
            assert float(seen["value"]) == pytest.approx(row["value"]), (key, row)
            continue
        count = indicator.count_behind(row["value"], row["numerator"], row["denominator"])
        if count is not None and count < threshold:
            assert seen["suppressed"], (key, row)
            assert seen["value"] is None, (key, row)
    if indicator.code in SMALL_CELLS:
        period, value = SMALL_CELLS[indicator.code]
        if not by_period and period != newest:
            return
        seen = shown[f"{city.lsoa}|{period}" if by_period else city.lsoa]
        if WHO[who].partner:
            assert not seen["suppressed"]
            assert float(seen["value"]) == value
        else:
            assert seen["suppressed"]
            assert seen["value"] is None
    if indicator.code == AGENCY_ONLY and by_period:
        assert AGENCY_ONLY_SENTINEL in {float(s["value"]) for s in shown.values()}


_TRUTH: dict[str, dict[tuple[str, str], Any]] = {}
_NEWEST: dict[str, str] = {}


def _truth(city: City, code: str) -> dict[tuple[str, str], Any]:
    if code not in _TRUTH:
        _TRUTH[code] = admin_truth(city, code)
    return _TRUTH[code]


def _newest(city: City, code: str) -> str:
    if code not in _NEWEST:
        _NEWEST[code] = newest_period(city, code)
    return _NEWEST[code]


# What lists hold, by route (the body of a 200).


def _catalogue(city: City, who: str, response: httpx.Response) -> None:
    listed = {i["code"] for i in response.json()}
    assert listed == {c for c, i in city.indicators.items() if sees(who, i)}


def _collections(city: City, who: str, response: httpx.Response) -> None:
    ids = {c["id"] for c in response.json()["collections"]}
    assert (AGENCY_ONLY in ids) == sees(who, city.indicators[AGENCY_ONLY])
    assert (PARTNERS_ONLY in ids) == WHO[who].partner


def _batches(city: City, who: str, response: httpx.Response) -> None:
    owners = {int(b): a for b, a in city.sql(
        "SELECT b.id, g.name FROM batch b LEFT JOIN agency g ON g.id = b.agency_id"
    )}  # fmt: skip
    agency = WHO[who].agency
    expected = {b for b, a in owners.items() if WHO[who].role == "admin" or a == agency}
    assert {b["id"] for b in response.json()} == expected
    if WHO[who].role != "admin":
        assert {b["agency"] for b in response.json()} == {agency}


def _keys(city: City, who: str, response: httpx.Response) -> None:
    listed = response.json()
    agencies = {k["agency"] for k in listed}
    if WHO[who].role == "admin":
        assert agencies >= {None, "police", "schools", "health"}
    else:
        assert agencies == {WHO[who].agency}
        own = {n for n, owner in KEYS.items() if owner is not None and owner[0] == WHO[who].agency}
        prefixes = {k["prefix"] for k in listed}
        assert {city.keys[n].split("_")[1] for n in own} <= prefixes
    _no_secret(city, response.text)


def _users(city: City, who: str, response: httpx.Response) -> None:
    assert {u["username"] for u in response.json()} >= set(USERS)
    assert "argon2" not in response.text
    _no_secret(city, response.text)


def _session(city: City, who: str, response: httpx.Response) -> None:
    viewer, body = WHO[who], response.json()
    assert (body["role"], body["agency"]) == (viewer.role, viewer.agency)
    assert body["signed_in"] == viewer.by_session
    assert body["via"] == ("session" if viewer.by_session else "key" if viewer.partner else "none")
    assert (body["csrf_token"] is not None) == viewer.by_session


def _run(city: City, who: str, response: httpx.Response) -> None:
    # The run saw the agency-only indicator: those who may see it find it there.
    assert (AGENCY_ONLY in response.text) == sees(who, city.indicators[AGENCY_ONLY])


def _profile(city: City, who: str, response: httpx.Response) -> None:
    entries = {e["indicator"]["code"]: e for e in response.json()["indicators"]}
    for code, (_, value) in SMALL_CELLS.items():
        if not sees(who, city.indicators[code]):
            assert code not in entries
            continue
        if WHO[who].partner:
            assert not entries[code]["suppressed"]
            assert entries[code]["value"] == value
        else:
            assert entries[code]["suppressed"]
            assert entries[code]["value"] is None


LISTS = {
    "/api/indicators": _catalogue,
    "/ogc/collections": _collections,
    "/api/batches": _batches,
    "/api/keys": _keys,
    "/api/users": _users,
    "/api/auth/session": _session,
    "/api/analysis/runs/{run_id}": _run,
    "/api/areas/{code}/profile": _profile,
}


def _no_secret(city: City, text: str) -> None:
    """No key and no password the tests used is in ``text`` (a key's prefix may be)."""
    secrets = [*city.keys.values(), *city.passwords.values(), *city.secrets]
    # The secret after ``nis_<prefix>_`` (itself URL-safe base64, so it may hold "_").
    secrets += [key.split("_", 2)[-1] for key in city.keys.values()]
    assert not [s for s in secrets if s in text]


# --- the audit of each read ---------------------------------------------------------------------


def _last_audit_id(city: City) -> int:
    return int(city.sql("SELECT coalesce(max(id), 0) FROM audit_event")[0][0])


AREA_REPORTS = ("/api/areas/{code}/report.html", "/api/areas/{code}/report.pdf")


def _expected_audit(
    city: City, read: Read, who: str, response: httpx.Response
) -> set[tuple[str, str]]:
    """The (indicator, channel) of the reads the request must have recorded."""
    if response.status_code != 200 or not WHO[who].partner or read.route not in CHANNEL:
        return set()
    channel = CHANNEL[read.route]
    if read.indicator is not None:
        return {(read.indicator, channel)} if restricted(city.indicators[read.indicator]) else set()
    if read.route not in ("/api/alerts", "/api/areas/{code}/profile", *AREA_REPORTS):
        return set()  # an area type's layer
    if read.route in AREA_REPORTS:  # made of the area's profile, as the viewer reads it
        with city.client(WHO[who].credentials) as client:
            body = client.get(read.url(city).rsplit("/", 1)[0] + "/profile").json()
    else:
        body = response.json()
    codes = {c for alert in body["alerts"] for c in alert["indicators"]}
    if read.route != "/api/alerts":
        codes |= {e["indicator"]["code"] for e in body["indicators"]}
    return {(c, channel) for c in codes if restricted(city.indicators[c])}


def _audited_as_restricted(
    city: City, read: Read, who: str, response: httpx.Response, path: str, before: int, after: int
) -> None:
    rows = city.sql(
        "SELECT actor, role, agency, key_id, user_id, channel, method, path, indicator, "
        "area_type FROM audit_event WHERE id > :before AND id <= :after AND action = 'read'",
        before=before,
        after=after,
    )
    expected = _expected_audit(city, read, who, response)
    assert {(r.indicator, r.channel) for r in rows} == expected
    viewer = WHO[who]
    for row in rows:
        assert (row.actor, row.role, row.agency) == (viewer.actor(city), viewer.role, viewer.agency)
        assert (row.user_id is not None, row.key_id is not None) == (
            viewer.by_session,
            not viewer.by_session,
        )
        assert (row.method, row.path) == ("GET", path)
        if read.indicator is not None:
            assert row.area_type == "lsoa"
    if expected and read.indicator is not None:
        # And the administrators' trail shows it.
        with city.client("admin") as client:
            trail = client.get(
                "/api/audit",
                params={"action": "read", "actor": viewer.actor(city), "indicator": read.indicator,
                        "channel": CHANNEL[read.route], "limit": 1},
            ).json()  # fmt: skip
        assert trail["events"]
        assert trail["events"][0]["path"] == path


def test_no_read_of_public_values_is_audited(city: City) -> None:
    """Over every read the tests made: none by the public, none of a public indicator
    without a disclosure threshold."""
    public = {c for c, i in city.indicators.items() if not restricted(i)}
    rows = city.sql(
        "SELECT role, indicator, count(*) FROM audit_event WHERE action = 'read' "
        "GROUP BY role, indicator"
    )
    assert rows, "the tests read restricted values"
    assert not [r for r in rows if r.role == "public" or r.indicator in public]


# --- writes --------------------------------------------------------------------------------------

FINGERPRINT = """
SELECT (SELECT count(*) FROM batch) AS batches, (SELECT count(*) FROM observation) AS values,
       (SELECT count(*) FROM event) AS events, (SELECT count(*) FROM api_key) AS keys,
       (SELECT count(*) FROM api_key WHERE revoked_at IS NOT NULL) AS revoked,
       (SELECT count(*) FROM app_user) AS users,
       (SELECT count(*) FROM app_user WHERE disabled_at IS NOT NULL) AS disabled,
       (SELECT count(*) FROM user_session) AS sessions,
       (SELECT count(*) FROM user_session WHERE revoked_at IS NOT NULL) AS ended,
       (SELECT count(*) FROM agency) AS agencies, (SELECT count(*) FROM analysis_run) AS runs,
       (SELECT count(*) FROM framework_revision) AS framework_changes,
       (SELECT count(*) FROM action_update) AS updates,
       (SELECT count(*) FROM board_report) AS reports,
       (SELECT max(updated_at) FROM indicator) AS catalogue
"""


@pytest.mark.parametrize("who", VIEWERS)
@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_a_write_answers_each_viewer_as_the_matrix_says(
    write_city: City, write: Write, who: str
) -> None:
    city = write_city
    city.sessions.clear()  # a session of its own: some writes end it
    request = write.prepare(city)
    with city.client(WHO[who].credentials) as client:
        before = city.sql(FINGERPRINT)[0]
        response = client.request(
            write.method, request.url, json=request.json, content=request.content,
            headers=request.headers,
        )  # fmt: skip
    expected = write.expect[VIEWERS.index(who)]
    assert response.status_code == expected, response.text[:300]
    if response.status_code >= 400:
        assert city.sql(FINGERPRINT)[0] == before, "a refused write changed something"
    if response.status_code == 201 and write.route == "/api/keys":
        city.secrets.append(response.json()["key"])
    if (
        not sees(who, city.indicators[AGENCY_ONLY])
        and write.case != "health's agency-only indicator"
    ):
        assert AGENCY_ONLY not in response.text


def test_another_agencys_agency_only_code_is_never_suggested(write_city: City) -> None:
    typo = AGENCY_ONLY.replace("caseload", "casload")
    body = f"area_code,period,indicator,value\n{write_city.lsoa},{AGENCY_ONLY_PERIOD},{typo},4\n"
    answers = {}
    for who in ("analyst", "admin_key"):
        with write_city.client(WHO[who].credentials) as client:
            answers[who] = client.post("/api/observations", content=body, headers=CSV)
        assert answers[who].status_code == 422, answers[who].text
    assert AGENCY_ONLY not in answers["analyst"].text
    assert f"did you mean '{AGENCY_ONLY}'" in answers["admin_key"].text
