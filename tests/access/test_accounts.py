"""Accounts and keys: passwords worth having, who manages which keys, scopes and expiry,
and the command line."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from app.access.service import create_key
from app.db import unit_of_work
from tests.access.conftest import PASSWORD, Site, csrf
from tests.conftest import NIS

ONE_ROW = b"area_code,period,indicator,value\r\nE01007823,2021-03,burglary,2\r\n"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short pass", "at least 12"),
        ("password1234", "commonest"),
        ("Qwertyuiop123", "commonest"),
        ("new.person is me", "account's name"),
    ],
)
def test_a_weak_password_is_refused(site: Site, password: str, reason: str) -> None:
    admin = site.signed_in("ada.admin")
    response = admin.post(
        "/api/users",
        json={"username": "new.person", "password": password, "role": "officer"},
        headers=csrf(admin),
    )
    assert response.status_code == 400, response.text
    assert reason in response.json()["detail"]
    assert not site.sql("SELECT 1 FROM app_user WHERE username = 'new.person'")


def test_only_administrators_manage_accounts(site: Site) -> None:
    officer = site.signed_in("jo.officer")
    body = {"username": "eve", "password": "a perfectly fine one", "role": "admin"}
    assert officer.post("/api/users", json=body, headers=csrf(officer)).status_code == 403
    assert officer.get("/api/users").status_code == 403
    admin = site.signed_in("ada.admin")
    made = admin.post("/api/users", json=body, headers=csrf(admin))
    assert made.status_code == 201, made.text
    assert made.json()["role"] == "admin"
    assert "password" not in made.text
    listed = admin.get("/api/users").json()
    assert {u["username"] for u in listed} >= {"eve", "jo.officer"}
    hashes = site.sql("SELECT password_hash FROM app_user WHERE username = 'eve'")
    assert hashes[0][0].startswith("$argon2id$")


def test_an_analyst_manages_the_keys_of_their_agency_only(site: Site) -> None:
    analyst = site.signed_in("sam.analyst")
    made = analyst.post(
        "/api/keys", json={"scope": "read", "label": "dashboard", "expires_in_days": 30},
        headers=csrf(analyst),
    )  # fmt: skip
    assert made.status_code == 201, made.text
    key = made.json()
    assert key["agency"] == "police"
    assert key["key"].startswith(f"nis_{key['prefix']}_")
    other = analyst.post("/api/keys", json={"agency": "health"}, headers=csrf(analyst))
    assert other.status_code == 403
    admin_key = analyst.post("/api/keys", json={"admin": True}, headers=csrf(analyst))
    assert admin_key.status_code == 403
    listed = analyst.get("/api/keys").json()
    assert {k["agency"] for k in listed} == {"police"}
    assert all("key" not in k for k in listed)
    # A health key is not theirs to revoke, nor to know of.
    with unit_of_work(site.db_url) as session:
        health = create_key(session, "health")
    prefix = health.split("_")[1]
    assert analyst.delete(f"/api/keys/{prefix}", headers=csrf(analyst)).status_code == 404
    assert analyst.delete(f"/api/keys/{key['prefix']}", headers=csrf(analyst)).status_code == 204
    revoked = site.browser(Authorization=f"Bearer {key['key']}")
    assert revoked.get("/api/auth/session").status_code == 401
    changes = [
        (r.action, r.detail["prefix"])
        for r in site.audit()
        if r.action in ("key.create", "key.revoke")
    ]
    assert changes == [("key.create", key["prefix"]), ("key.revoke", key["prefix"])]
    assert key["key"] not in " ".join(str(r) for r in site.audit())


def test_a_read_key_reads_but_never_writes(site: Site) -> None:
    reader = site.keyed("police-read")
    who = reader.get("/api/auth/session").json()
    assert (who["role"], who["agency"], who["via"], who["signed_in"]) == (
        "officer", "police", "key", False,
    )  # fmt: skip
    response = reader.post(
        "/api/observations", content=ONE_ROW, headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 403
    assert "read" in response.json()["detail"]
    assert reader.get("/api/batches").status_code == 403


def test_an_expired_key_is_refused_and_says_so(site: Site) -> None:
    with unit_of_work(site.db_url) as session:
        key = create_key(session, "police", expires_at=datetime.now(UTC) + timedelta(seconds=1))
    client = site.browser(Authorization=f"Bearer {key}")
    assert client.get("/api/batches").status_code == 200
    with unit_of_work(site.db_url) as session:
        from sqlalchemy import text

        session.execute(text("UPDATE api_key SET expires_at = now() - interval '1 day'"))
    response = client.get("/api/batches")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def _nis(site: Site, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NIS_DATABASE_URL": site.db_url}
    return subprocess.run(
        [NIS, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def test_the_command_line_makes_disables_and_resets_accounts(site: Site) -> None:
    made = _nis(
        site, "user", "create", "Kim@Council.gov.uk", "--role", "analyst", "--agency", "police",
        "--name", "Kim Lee", "--password-stdin", stdin="river otter cinnamon\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "created analyst kim@council.gov.uk of police" in made.stderr
    kim = site.browser()
    signed = kim.post(
        "/api/auth/sign-in",
        json={"username": "kim@council.gov.uk", "password": "river otter cinnamon"},
    )
    assert signed.json()["display_name"] == "Kim Lee"  # in the sign-in's own answer
    assert kim.get("/api/auth/session").json()["display_name"] == "Kim Lee"

    weak = _nis(site, "user", "create", "lee", "--password-stdin", stdin="letmein\n")
    assert weak.returncode == 2
    assert "at least 12" in weak.stderr

    reset = _nis(site, "user", "reset", "kim@council.gov.uk", "--password-stdin",
                 stdin="a new and longer phrase\n")  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    assert "1 session(s) ended" in reset.stderr
    assert kim.get("/api/auth/session").json()["signed_in"] is False
    old = site.browser().post(
        "/api/auth/sign-in",
        json={"username": "kim@council.gov.uk", "password": "river otter cinnamon"},
    )
    assert old.status_code == 401
    site.signed_in("kim@council.gov.uk", "a new and longer phrase")

    assert _nis(site, "user", "disable", "kim@council.gov.uk").returncode == 0
    listed = _nis(site, "user", "list")
    assert "kim@council.gov.uk\tanalyst\tpolice\tlocal\t" in listed.stdout
    assert "disabled" in listed.stdout
    help_text = _nis(site, "user", "--help").stdout
    assert "nis user create" in help_text  # with examples

    audit = _nis(site, "audit", "--csv")
    assert audit.returncode == 0, audit.stderr
    lines = audit.stdout.splitlines()
    assert lines[0].startswith("id,at,action,outcome,actor")
    assert any(",user.create,ok,cli," in line for line in lines)
    assert any(",user.reset,ok,cli," in line for line in lines)
    assert "river otter" not in audit.stdout
    assert "longer phrase" not in audit.stdout
    shown = _nis(site, "audit", "--action", "sign-in")
    assert "sign-in\tok\tuser kim@council.gov.uk" in shown.stdout


def test_the_audit_is_for_administrators_and_reads_as_csv(site: Site) -> None:
    site.signed_in("jo.officer")
    officer = site.signed_in("jo.officer")
    assert officer.get("/api/audit").status_code == 403
    assert site.browser().get("/api/audit").status_code == 401
    admin = site.keyed("admin")
    page = admin.get("/api/audit", params={"action": "sign-in", "actor": "user jo.officer"})
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["total"] == 2
    assert {e["outcome"] for e in body["events"]} == {"ok"}
    assert all(e["channel"] == "api" and e["address"] == "127.0.0.1" for e in body["events"])
    csv = admin.get("/api/audit", params={"format": "csv", "action": "sign-in"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].split(",")[:4] == ["id", "at", "action", "outcome"]
    assert len(csv.text.splitlines()) == 1 + 2


def test_the_audit_is_append_only(site: Site) -> None:
    site.signed_in("jo.officer")
    from sqlalchemy.exc import DBAPIError

    for statement in (
        "UPDATE audit_event SET actor = 'someone else'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            site.sql(statement)
    assert len(site.audit("sign-in")) == 1


def test_signing_in_as_nobody_needs_no_password_check_of_a_real_hash(site: Site) -> None:
    """A wrong name costs as much as a wrong password (no timing tells the two apart)."""
    client = site.browser()
    timings = {}
    for name in ("jo.officer", "no.such.person"):
        start = datetime.now(UTC)
        for _ in range(3):
            client.post(
                "/api/auth/sign-in", json={"username": name, "password": "wrong wrong wrong"}
            )
        timings[name] = (datetime.now(UTC) - start).total_seconds()
    assert timings["no.such.person"] > 0.5 * timings["jo.officer"]
    assert PASSWORD
