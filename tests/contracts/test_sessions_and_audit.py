"""Signed-in requests and the audit trail.

- A request made with the session cookie that changes something needs the session's
  CSRF token and no other site's ``Origin`` (403 otherwise, and nothing changes); one
  that only reads needs neither; a key needs no token.
- Refused sign-ins and bad keys are recorded; administrators read the trail, filtered and
  as CSV; the trail can be neither rewritten nor emptied, and holds no key, password or
  session token that any test used (this module runs after the role matrix, so that its
  writes' keys and passwords are searched for too).
"""

from __future__ import annotations

import csv
import io
import secrets

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.access.sessions import COOKIE, CSRF_HEADER
from app.audit.repository import COLUMNS
from tests.contracts.conftest import USERS, City, sign_in
from tests.contracts.matrix import PASSWORD

ANALYST = "analyst.police"
ELSEWHERE = "https://elsewhere.example"


def _signed_in(city: City, username: str = ANALYST) -> tuple[str, str]:
    """A session of its own (cookie token, CSRF token)."""
    session = sign_in(city.url, username, USERS[username][2])
    city.secrets.extend(session)
    return session


def _keys(city: City) -> tuple[int, int]:
    made, revoked = city.sql(
        "SELECT count(*), count(*) FILTER (WHERE revoked_at IS NOT NULL) FROM api_key"
    )[0]
    return int(made), int(revoked)


def _police_key_prefix(city: City) -> str:
    with city.client("admin") as client:
        made = client.post("/api/keys", json={"agency": "police", "scope": "read"})
    assert made.status_code == 201, made.text
    city.secrets.append(made.json()["key"])
    return str(made.json()["prefix"])


# (method, path) of writes a forged request might try, each refused before it acts.
FORGED = [
    ("POST", "/api/keys"),
    ("DELETE", "/api/keys/{prefix}"),
    ("POST", "/api/observations"),
    ("POST", "/api/auth/sign-out"),
]


@pytest.mark.parametrize(
    "headers",
    [{}, {CSRF_HEADER: "not-the-token"}, {"Origin": ELSEWHERE}],
    ids=["no token", "a wrong token", "another site with the token"],
)
@pytest.mark.parametrize(("method", "path"), FORGED, ids=[f"{m} {p}" for m, p in FORGED])
def test_a_signed_in_write_without_the_token_or_from_another_site_is_refused(
    write_city: City, method: str, path: str, headers: dict[str, str]
) -> None:
    token, csrf = _signed_in(write_city)
    if "Origin" in headers:
        headers = {**headers, CSRF_HEADER: csrf}
    url = path.replace("{prefix}", _police_key_prefix(write_city))
    body = f"area_code,period,indicator,value\n{write_city.lsoa},2023-08,burglary,3\n"
    before = (_keys(write_city), write_city.sql("SELECT count(*) FROM batch"))
    with httpx.Client(base_url=write_city.url, cookies={COOKIE: token}) as client:
        response = client.request(
            method, url, headers={"Content-Type": "text/csv", **headers},
            content=body.encode() if "observations" in path else None,
        )  # fmt: skip
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert (_keys(write_city), write_city.sql("SELECT count(*) FROM batch")) == before
        # The session was not ended by the forged sign-out: it still reads as the analyst.
        assert client.get("/api/auth/session").json()["role"] == "analyst"


def test_a_signed_in_write_with_the_token_is_done(write_city: City) -> None:
    token, csrf = _signed_in(write_city)
    made, _ = _keys(write_city)
    with httpx.Client(base_url=write_city.url, cookies={COOKIE: token}) as client:
        created = client.post("/api/keys", json={"scope": "read"}, headers={CSRF_HEADER: csrf})
        assert created.status_code == 201, created.text
        write_city.secrets.append(created.json()["key"])
        same_site = client.post(
            "/api/keys", json={"scope": "read"},
            headers={CSRF_HEADER: csrf, "Origin": write_city.url},
        )  # fmt: skip
        assert same_site.status_code == 201, same_site.text
        write_city.secrets.append(same_site.json()["key"])
        prefix = created.json()["prefix"]
        revoked = client.delete(f"/api/keys/{prefix}", headers={CSRF_HEADER: csrf})
        assert revoked.status_code == 204, revoked.text
        out = client.post("/api/auth/sign-out", headers={CSRF_HEADER: csrf})
        assert out.status_code == 200, out.text
        # Signed out, the cookie is the public's.
        assert client.get("/api/auth/session").json()["role"] == "public"
    assert _keys(write_city)[0] == made + 2


def test_a_signed_in_read_needs_no_token(write_city: City) -> None:
    token, _ = _signed_in(write_city)
    with httpx.Client(base_url=write_city.url, cookies={COOKIE: token}) as client:
        who = client.get("/api/auth/session")
        keys = client.get("/api/keys")
    assert who.status_code == 200
    assert (who.json()["role"], who.json()["agency"], who.json()["via"]) == (
        "analyst",
        "police",
        "session",
    )
    assert keys.status_code == 200, keys.text
    assert {k["agency"] for k in keys.json()} == {"police"}


def test_a_key_needs_no_token(write_city: City) -> None:
    with write_city.client("police") as client:
        created = client.post("/api/keys", json={"scope": "read"}, headers={"Origin": ELSEWHERE})
    assert created.status_code == 201, created.text
    write_city.secrets.append(created.json()["key"])


def test_a_sign_in_from_another_site_is_refused(write_city: City) -> None:
    sessions = write_city.sql("SELECT count(*) FROM user_session")
    response = httpx.post(
        f"{write_city.url}/api/auth/sign-in",
        json={"username": ANALYST, "password": USERS[ANALYST][2]},
        headers={"Origin": ELSEWHERE},
    )
    assert response.status_code == 403, response.text
    assert COOKIE not in response.cookies
    assert write_city.sql("SELECT count(*) FROM user_session") == sessions


# --- the audit trail ---------------------------------------------------------------------------


def test_a_refused_sign_in_and_a_bad_key_are_recorded_without_their_secrets(
    write_city: City,
) -> None:
    wrong = f"not the password {secrets.token_hex(8)}"
    bogus = f"nis_0badc0de_{secrets.token_urlsafe(32)}"
    write_city.secrets += [wrong, bogus]
    before = write_city.sql("SELECT coalesce(max(id), 0) FROM audit_event")[0][0]
    refused = httpx.post(
        f"{write_city.url}/api/auth/sign-in", json={"username": ANALYST, "password": wrong}
    )
    assert refused.status_code == 401
    bad_key = httpx.get(
        f"{write_city.url}/api/observations?indicator=burglary",
        headers={"Authorization": f"Bearer {bogus}"},
    )
    assert bad_key.status_code == 401
    rows = write_city.sql(
        "SELECT action, outcome, detail FROM audit_event WHERE id > :b ORDER BY id", b=before
    )
    assert [(r.action, r.outcome) for r in rows] == [
        ("sign-in", "refused"),
        ("key.rejected", "refused"),
    ]
    assert rows[0].detail["account"] == ANALYST


def test_administrators_read_the_trail_filtered_and_as_csv(write_city: City) -> None:
    with write_city.client("admin") as client:
        refused = client.get("/api/audit", params={"outcome": "refused", "limit": 1000}).json()
        as_csv = client.get("/api/audit", params={"action": "sign-in", "format": "csv"})
    assert refused["total"] >= 2
    assert {e["outcome"] for e in refused["events"]} == {"refused"}
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert tuple(rows[0]) == COLUMNS
    assert {r["action"] for r in rows} == {"sign-in"}


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET actor = 'someone else'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
    ],
)
def test_the_trail_can_be_neither_rewritten_nor_emptied(write_city: City, statement: str) -> None:
    before = write_city.sql("SELECT count(*), count(DISTINCT actor) FROM audit_event")
    assert before[0][0] > 0
    with pytest.raises(DBAPIError, match="append-only"), write_city.engine.begin() as conn:
        conn.execute(text(statement))
    assert write_city.sql("SELECT count(*), count(DISTINCT actor) FROM audit_event") == before


@pytest.mark.parametrize("which", ["city", "write_city"])
def test_the_trail_holds_no_key_password_or_session_token(
    which: str, request: pytest.FixtureRequest
) -> None:
    city: City = request.getfixturevalue(which)
    trail = city.sql("SELECT string_agg(a::text, ' ') FROM audit_event a")[0][0]
    assert "sign-in" in trail
    keys = [*city.keys.values(), *(s for s in city.secrets if s.startswith("nis_"))]
    material = [*keys, *(k.split("_", 2)[2] for k in keys)]  # whole keys, and their secrets
    words = [*city.passwords.values(), PASSWORD, *city.secrets]
    assert not [s for s in material + words if s in trail]
