"""Local accounts signing in and out: the cookie, the session, expiry, forgery and
guessing, each as an officer's browser (or an attacker's script) meets it."""

from __future__ import annotations

import time

from tests.access.conftest import PASSWORD, Site, SiteFactory, csrf

PROBLEM = "application/problem+json"


def test_signing_in_sets_a_session_cookie_the_page_cannot_read(site: Site) -> None:
    client = site.browser()
    response = client.post(
        "/api/auth/sign-in", json={"username": "Sam.Analyst ", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    assert response.json()["username"] == "sam.analyst"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("nis_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback
    who = client.get("/api/auth/session").json()
    assert who["signed_in"] is True
    assert (who["username"], who["role"], who["agency"], who["via"]) == (
        "sam.analyst", "analyst", "police", "session",
    )  # fmt: skip
    assert who["csrf_token"]
    assert who["local"] is True
    assert who["sso"] is False
    # The token in the cookie is not what the database keeps.
    token = client.cookies["nis_session"]
    assert not site.sql("SELECT 1 FROM user_session WHERE token_hash = :t", t=token)


def test_the_cookie_is_secure_behind_https(make_site: SiteFactory) -> None:
    site = make_site()
    # The server trusts the loopback proxy's X-Forwarded-Proto (uvicorn --proxy-headers).
    behind_proxy = site.browser(**{"X-Forwarded-Proto": "https"})
    response = behind_proxy.post(
        "/api/auth/sign-in", json={"username": "jo.officer", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    assert "Secure" in response.headers["set-cookie"]
    always = make_site(cookie_secure="always")
    response = always.browser().post(
        "/api/auth/sign-in", json={"username": "jo.officer", "password": PASSWORD}
    )
    assert "Secure" in response.headers["set-cookie"]


def test_every_failure_gives_the_same_answer(site: Site) -> None:
    client = site.browser()
    answers = []
    for username, password in [
        ("jo.officer", "not the password at all"),  # a wrong password
        ("nobody.here", PASSWORD),  # no such account
        ("x" * 300, PASSWORD),  # not even a name
    ]:
        response = client.post(
            "/api/auth/sign-in", json={"username": username[:256], "password": password}
        )
        assert response.status_code == 401, response.text
        assert response.headers["content-type"] == PROBLEM
        answers.append(response.json()["detail"])
    assert len(set(answers)) == 1
    assert "nis_session" not in client.cookies
    refused = site.audit("sign-in")
    assert [r.outcome for r in refused] == ["refused"] * 3
    assert refused[0].detail["account"] == "jo.officer"
    every = " ".join(str(r) for r in site.audit())
    assert "not the password at all" not in every
    assert PASSWORD not in every


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(site: Site) -> None:
    client = site.signed_in("jo.officer")
    admin = site.signed_in("ada.admin")
    response = admin.post("/api/users/jo.officer/disable", headers=csrf(admin))
    assert response.status_code == 200, response.text
    assert response.json()["disabled"] is True
    assert client.get("/api/auth/session").json()["signed_in"] is False
    again = site.browser().post(
        "/api/auth/sign-in", json={"username": "jo.officer", "password": PASSWORD}
    )
    assert again.status_code == 401
    disabled = [(r.actor, r.detail) for r in site.audit("user.disable")]
    assert disabled == [("user ada.admin", {"user": "jo.officer", "sessions_ended": 1})]


def test_signing_out_ends_the_session_for_good(site: Site) -> None:
    client = site.signed_in("jo.officer")
    stolen = client.cookies["nis_session"]
    response = client.post("/api/auth/sign-out", headers=csrf(client))
    assert response.status_code == 200, response.text
    assert response.json() == {"sessions_ended": 1}
    assert "nis_session" not in client.cookies  # the cookie is cleared
    # The same cookie sent again (copied before signing out) is the public's.
    replay = site.browser()
    replay.cookies.set("nis_session", stolen)
    assert replay.get("/api/auth/session").json()["signed_in"] is False
    assert replay.get("/api/batches").status_code == 401


def test_signing_out_everywhere_ends_every_session_of_the_account(site: Site) -> None:
    laptop = site.signed_in("sam.analyst")
    phone = site.signed_in("sam.analyst")
    other = site.signed_in("jo.officer")
    response = laptop.post("/api/auth/sign-out-everywhere", headers=csrf(laptop))
    assert response.status_code == 200, response.text
    assert response.json() == {"sessions_ended": 2}
    assert phone.get("/api/auth/session").json()["signed_in"] is False
    assert other.get("/api/auth/session").json()["signed_in"] is True


def test_a_session_ends_when_idle_and_at_its_absolute_end(make_site: SiteFactory) -> None:
    idle = make_site(session_idle_minutes=1.5 / 60)
    client = idle.signed_in("jo.officer")
    assert client.get("/api/auth/session").json()["signed_in"] is True
    time.sleep(2.5)
    assert client.get("/api/auth/session").json()["signed_in"] is False

    short = make_site(session_hours=3 / 3600)
    client = short.signed_in("jo.officer")
    for _ in range(4):  # kept busy, it still ends
        assert client.get("/api/auth/session").json()["signed_in"] is True
        time.sleep(0.5)
    time.sleep(1.5)
    assert client.get("/api/auth/session").json()["signed_in"] is False


def test_changes_made_with_the_cookie_need_the_csrf_token(site: Site) -> None:
    client = site.signed_in("jo.officer")
    response = client.post("/api/auth/sign-out")
    assert response.status_code == 403
    assert "X-CSRF-Token" in response.json()["detail"]
    response = client.post("/api/auth/sign-out", headers={"X-CSRF-Token": "forged"})
    assert response.status_code == 403
    response = client.post(
        "/api/auth/sign-out", headers={**csrf(client), "Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert client.get("/api/auth/session").json()["signed_in"] is True  # all refused
    # A sign-in posted from another site's page is refused too (login forgery).
    forged = site.browser().post(
        "/api/auth/sign-in",
        json={"username": "jo.officer", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    assert client.post("/api/auth/sign-out", headers=csrf(client)).status_code == 200


def test_guessing_passwords_is_slowed_down_per_account(make_site: SiteFactory) -> None:
    site = make_site(throttle_account_failures=3, throttle_address_failures=50)
    client = site.browser()
    for _ in range(3):
        wrong = {"username": "jo.officer", "password": "guess guess guess"}
        assert client.post("/api/auth/sign-in", json=wrong).status_code == 401
    # Locked for a while: even the right password waits, and says when to come back.
    right = client.post("/api/auth/sign-in", json={"username": "jo.officer", "password": PASSWORD})
    assert right.status_code == 429
    assert 0 < int(right.headers["retry-after"]) <= site.settings.throttle_window_s
    # A name with no account is locked the same way (the lock tells nothing).
    for _ in range(3):
        client.post("/api/auth/sign-in", json={"username": "no.one", "password": "x" * 12})
    ghost = client.post("/api/auth/sign-in", json={"username": "no.one", "password": "x" * 12})
    assert ghost.status_code == 429
    # Another account from the same address still signs in.
    other = client.post("/api/auth/sign-in", json={"username": "sam.analyst", "password": PASSWORD})
    assert other.status_code == 200
    outcomes = [r.outcome for r in site.audit("sign-in") if r.detail.get("account") == "jo.officer"]
    assert outcomes == ["refused", "refused", "throttled"]


def test_guessing_keys_is_slowed_down_per_address_and_recorded(make_site: SiteFactory) -> None:
    site = make_site(throttle_address_failures=20)
    client = site.browser()
    statuses = []
    for i in range(200):
        client.headers["Authorization"] = f"Bearer nis_{i:08x}_{'x' * 43}"
        statuses.append(client.get("/api/batches").status_code)
    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}
    last = client.get("/api/batches")
    assert last.status_code == 429
    assert int(last.headers["retry-after"]) > 0
    # The real key from that address waits too; from elsewhere it would not.
    client.headers["Authorization"] = f"Bearer {site.keys['police']}"
    assert client.get("/api/batches").status_code == 429
    rejected = site.audit("key.rejected")
    assert len(rejected) == 20  # recorded until throttled, not 200 times
    assert rejected[-1].outcome == "throttled"
    assert all(r.address == "127.0.0.1" for r in rejected)
    assert not any("xxxxxxxx" in str(r) for r in site.audit())  # no key material
