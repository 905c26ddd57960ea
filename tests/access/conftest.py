"""Officers signing in over real HTTP: a live server per test on a fresh copy of a small
database with agencies, a partners-only indicator and accounts of every role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.access.service import create_agency, create_key
from app.access.users import create_local_user
from app.access.viewer import CLI
from app.db import unit_of_work
from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database

PASSWORD = "tangerine lighthouse 42"  # every test account's, unless a test says otherwise
# name -> (role, agency)
ACCOUNTS = {
    "jo.officer": ("officer", None),
    "sam.analyst": ("analyst", "police"),
    "hari.health": ("officer", "health"),
    "ada.admin": ("admin", None),
}


@dataclass(frozen=True)
class Template:
    url: str
    keys: dict[str, str]


@pytest.fixture(scope="session")
def officers_template(databases: ThrowawayDatabases) -> Template:
    url = databases.create("officers")
    keys: dict[str, str] = {}
    with unit_of_work(url) as session:
        for agency in ("police", "health"):
            create_agency(session, agency)
        for name, (role, agency) in ACCOUNTS.items():
            create_local_user(session, CLI, name, PASSWORD, role, agency)
        keys["admin"] = create_key(session, None, admin=True, label="test admin")
        keys["police"] = create_key(session, "police", label="police upload")
        keys["police-read"] = create_key(session, "police", scope="read", label="police read")
    return Template(url, keys)


@dataclass
class Site:
    """A live server on its own database; browsers are httpx clients keeping cookies."""

    url: str
    db_url: str
    keys: dict[str, str]
    settings: Settings
    _clients: list[httpx.Client] = field(default_factory=list)

    def browser(self, **headers: str) -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=60, headers=headers)
        self._clients.append(client)
        return client

    def keyed(self, key: str) -> httpx.Client:
        return self.browser(Authorization=f"Bearer {self.keys[key]}")

    def signed_in(self, name: str, password: str = PASSWORD) -> httpx.Client:
        client = self.browser()
        response = client.post("/api/auth/sign-in", json={"username": name, "password": password})
        assert response.status_code == 200, response.text
        return client

    def sql(self, query: str, **params: Any) -> list[Any]:
        with unit_of_work(self.db_url) as session:
            return list(session.execute(text(query), params).all())

    def audit(self, action: str | None = None) -> list[Any]:
        where = "" if action is None else "WHERE action = :a"
        return self.sql(f"SELECT * FROM audit_event {where} ORDER BY id", a=action)

    def close(self) -> None:
        for client in self._clients:
            client.close()


def csrf(client: httpx.Client) -> dict[str, str]:
    """The header a signed-in page sends with what changes something."""
    return {"X-CSRF-Token": client.get("/api/auth/session").json()["csrf_token"]}


SiteFactory = Callable[..., Site]


@pytest.fixture
def make_site(officers_template: Template, databases: ThrowawayDatabases) -> Iterator[SiteFactory]:
    """Start a site with the given settings (each on its own copy of the database)."""
    stack: list[tuple[LiveServer, Site]] = []

    def make(**overrides: Any) -> Site:
        db_url = clone_database(officers_template.url, "nis_test_officers", databases)
        settings = Settings(database_url=db_url, analysis_after_upload=False, **overrides)
        server = LiveServer(settings).__enter__()
        site = Site(server.url, db_url, officers_template.keys, settings)
        stack.append((server, site))
        return site

    yield make
    for server, site in reversed(stack):
        site.close()
        server.__exit__(None, None, None)


@pytest.fixture
def site(make_site: SiteFactory) -> Site:
    return make_site()
