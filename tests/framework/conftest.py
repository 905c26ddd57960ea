"""A live server on a copy of the demo city with its performance framework (``nis demo``
loads it), and the demo's officer signed in: the boards, measures, actions, reports and
notifications as an officer meets them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from app.access.sessions import COOKIE, CSRF_HEADER
from app.access.users import reset_password
from app.access.viewer import CLI
from app.db import make_engine, unit_of_work
from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database
from tests.contracts.conftest import sign_in

OFFICER = "demo.officer"
PASSWORD = "heron lantern copper meadow 8"
OWNERS = ("sam.patel", "jo.wright", "ali.khan")


@dataclass
class Site:
    url: str
    db_url: str
    engine: Engine
    cookie: str
    csrf: str

    def officer(self) -> httpx.Client:
        """The demo's officer, signed in (a member of every demo board)."""
        return httpx.Client(
            base_url=self.url,
            cookies={COOKIE: self.cookie},
            headers={CSRF_HEADER: self.csrf},
            timeout=120,
        )

    def public(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120)

    def as_user(self, username: str) -> httpx.Client:
        with unit_of_work(self.db_url) as session:
            reset_password(session, CLI, username, PASSWORD)
        cookie, csrf = sign_in(self.url, username, PASSWORD)
        return httpx.Client(
            base_url=self.url, cookies={COOKIE: cookie}, headers={CSRF_HEADER: csrf}, timeout=120
        )

    def sql(self, query: str, **params: Any) -> list[Any]:
        with self.engine.begin() as conn:
            return list(conn.execute(text(query), params).all())


def serve(demo_template: str, databases: ThrowawayDatabases, prefix: str) -> Iterator[Site]:
    db_url = clone_database(demo_template, prefix, databases)
    with unit_of_work(db_url) as session:
        reset_password(session, CLI, OFFICER, PASSWORD)
    engine = make_engine(db_url)
    settings = Settings(database_url=db_url, analysis_after_upload=False)
    try:
        with LiveServer(settings) as server:
            cookie, csrf = sign_in(server.url, OFFICER, PASSWORD)
            yield Site(server.url, db_url, engine, cookie, csrf)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def site(demo_template: str, databases: ThrowawayDatabases) -> Iterator[Site]:
    """A site of the module's own (tests in a module may write to it)."""
    yield from serve(demo_template, databases, "nis_test_framework")
