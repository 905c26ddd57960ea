"""A live server on a copy of the demo city where partners have also uploaded: police
events (whose raw rows must never be served), a schools file and an agency-only health
indicator with its values, each a batch of its agency, then analysed again; with keys
(an agency's upload and read keys, an administrator's), signed-in officers' accounts
(an officer, a police analyst, an administrator), and the viewers they stand for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from app.access.service import create_key
from app.access.sessions import COOKIE, CSRF_HEADER
from app.access.users import create_local_user
from app.access.viewer import CLI, PUBLIC, Role, Viewer
from app.db import make_engine, unit_of_work
from app.indicators.indicator import Indicator
from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database

# Who walks the routes: the public, an agency's key and an administrator's.
WHO = ("public", "police", "admin")
EVENT_IDS = [f"leak-check-{n:03d}" for n in range(40)]

# An indicator only its agency (health) and administrators may see at all, with a
# disclosure threshold: its value at the fixture's LSOA is below it, and one other LSOA
# holds a number found nowhere else, so that a body that shows it is easy to catch.
AGENCY_ONLY = "health_visitor_caseload"
AGENCY_ONLY_PERIOD = "2023/24"
AGENCY_ONLY_SMALL = 3
AGENCY_ONLY_SENTINEL = 97531864
_AGENCY_ONLY_CATALOGUE = (
    "code,title,definition,agency,topic,value_type,multiplier,unit,polarity,period_type,"
    "source,licence,area_types,disclosure_threshold,visibility\n"
    f"{AGENCY_ONLY},Health visitor caseload,Children on a health visitor's caseload,health,"
    "health,count,1,children,higher_is_worse,financial_year,NIS contract tests,"
    "Restricted,lsoa;msoa;city,5,agency\n"
)
# Keys by name: (agency, scope); None: an administrator's.
KEYS: dict[str, tuple[str, str] | None] = {
    "admin": None,
    "police": ("police", "upload"),
    "schools": ("schools", "upload"),
    "health": ("health", "upload"),
    "health_read": ("health", "read"),
}
# Local accounts by name: (role, agency, password).
USERS: dict[str, tuple[str, str | None, str]] = {
    "officer.partnership": ("officer", None, "plane tree lantern orbit 41"),
    "analyst.police": ("analyst", "police", "copper kettle meadow drift 7"),
    "admin.partnership": ("admin", None, "granite harbour violet echo 19"),
}


def sign_in(base_url: str, username: str, password: str) -> tuple[str, str]:
    """Sign a local account in: the session cookie's token and the session's CSRF token."""
    response = httpx.post(
        f"{base_url}/api/auth/sign-in",
        json={"username": username, "password": password},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    return response.cookies[COOKIE], str(response.json()["csrf_token"])


@dataclass
class City:
    url: str
    db_url: str
    engine: Engine
    keys: dict[str, str]
    viewers: dict[str, Viewer]
    indicators: dict[str, Indicator]
    lsoa: str  # an LSOA with values
    schools_batch: int
    police_batch: int
    health_batch: int
    passwords: dict[str, str] = field(default_factory=dict)
    # The session (cookie token, CSRF token) each account signed in with, once asked for.
    sessions: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Keys, passwords and session tokens besides those above (the audit must hold none).
    secrets: list[str] = field(default_factory=list)

    def session_of(self, username: str) -> tuple[str, str]:
        if username not in self.sessions:
            self.sessions[username] = sign_in(self.url, username, self.passwords[username])
            self.secrets.extend(self.sessions[username])
        return self.sessions[username]

    def client(self, who: str, *, csrf: bool = True) -> httpx.Client:
        """A client of ``who``: a key's name, an account's name (signed in, its requests
        sending the session's CSRF token unless ``csrf`` is false) or ``public``."""
        headers: dict[str, str] = {}
        cookies: dict[str, str] = {}
        if who in self.keys:
            headers["Authorization"] = f"Bearer {self.keys[who]}"
        elif who in self.passwords:
            token, csrf_token = self.session_of(who)
            cookies[COOKIE] = token
            if csrf:
                headers[CSRF_HEADER] = csrf_token
        else:
            assert who == "public", who
        return httpx.Client(base_url=self.url, headers=headers, cookies=cookies, timeout=120)

    def sql(self, query: str, **params: Any) -> list[Any]:
        with self.engine.begin() as conn:
            return list(conn.execute(text(query), params).all())


def _events_csv(points: list[Any]) -> bytes:
    lines = ["id,category,date,longitude,latitude"]
    for event_id, (lon, lat) in zip(EVENT_IDS, points, strict=False):
        lines.append(f"{event_id},Criminal damage and arson,2023-12-05,{lon},{lat}")
    return ("\n".join(lines) + "\n").encode()


def _agency_only_values(lsoas: list[str]) -> bytes:
    lines = ["area_code,period,indicator,value"]
    for n, code in enumerate(lsoas):
        value = {0: AGENCY_ONLY_SMALL, 1: AGENCY_ONLY_SENTINEL}.get(n, 20 + n * 37 % 180)
        lines.append(f"{code},{AGENCY_ONLY_PERIOD},{AGENCY_ONLY},{value}")
    return ("\n".join(lines) + "\n").encode()


# A measure of the agency-only indicator, led by the demo's Health and Wellbeing
# Partnership, which also registered an interest in the indicator: the framework's reads
# must not name either to anyone who may not see the indicator.
AGENCY_ONLY_MEASURE = "caseload-kept-down"


def _agency_only_measure(db_url: str) -> None:
    from app.framework import service

    with unit_of_work(db_url) as session:
        service.create_measure(session, CLI, {
            "code": AGENCY_ONLY_MEASURE, "title": "Health visitor caseloads kept down",
            "indicator": AGENCY_ONLY, "baseline_period": AGENCY_ONLY_PERIOD,
            "lead_board": "health-wellbeing",
        })  # fmt: skip
        service.add_interest(
            session, CLI, "health-wellbeing", {"kind": "indicator", "code": AGENCY_ONLY}
        )


def _post(url: str, key: str, body: bytes | None = None, **kw: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"}
    if body is not None:
        headers["Content-Type"] = "text/csv"
    return httpx.post(url, content=body, headers=headers, timeout=300, **kw)


@contextmanager
def serve_city(
    template_url: str, databases: ThrowawayDatabases, prefix: str, *, analyse: bool = True
) -> Iterator[City]:
    """A live server on a copy of the demo city, loaded as the module docstring says
    (and analysed again when ``analyse``: the run sees the agency-only indicator)."""
    db_url = clone_database(template_url, prefix, databases)
    keys: dict[str, str] = {}
    with unit_of_work(db_url) as session:
        for name, owner in KEYS.items():
            label = f"contracts {name}"
            if owner is None:
                keys[name] = create_key(session, None, admin=True, label=label)
            else:
                keys[name] = create_key(session, owner[0], label=label, scope=owner[1])
        for username, (role, agency, password) in USERS.items():
            create_local_user(session, CLI, username, password, role, agency)
        agency_ids = {
            str(name): int(id_)
            for name, id_ in session.execute(text("SELECT name, id FROM agency")).all()
        }
        points = list(
            session.execute(
                text(
                    "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM area "
                    "WHERE type_code = 'lsoa' ORDER BY code LIMIT :n) s"
                ),
                {"n": len(EVENT_IDS)},
            ).all()
        )
        lsoas = list(
            session.execute(
                text("SELECT code FROM area WHERE type_code = 'lsoa' ORDER BY code")
            ).scalars()
        )
    lsoa = lsoas[0]
    settings = Settings(database_url=db_url, analysis_after_upload=False)
    engine = make_engine(db_url)
    with LiveServer(settings) as server:
        police = _post(f"{server.url}/api/events", keys["police"], _events_csv(points))
        assert police.status_code == 200, police.text
        schools = _post(
            f"{server.url}/api/observations",
            keys["schools"],
            f"area_code,period,indicator,value,numerator,denominator\n"
            f"{lsoa},2024/25,persistent_absence,25,2,8\n".encode(),
        )
        assert schools.status_code == 200, schools.text
        added = _post(
            f"{server.url}/api/indicators", keys["admin"], _AGENCY_ONLY_CATALOGUE.encode()
        )
        assert added.status_code == 200, added.text
        health = _post(f"{server.url}/api/observations", keys["health"], _agency_only_values(lsoas))
        assert health.status_code == 200, health.text
        _agency_only_measure(db_url)
        if analyse:
            run = _post(f"{server.url}/api/analysis/runs", keys["admin"], json={})
            assert run.status_code == 201, run.text
        catalogue = httpx.get(
            f"{server.url}/api/indicators",
            headers={"Authorization": f"Bearer {keys['admin']}"},
            timeout=120,
        ).json()
        viewers = {
            "public": PUBLIC,
            "police": Viewer(
                Role.ANALYST, "police", agency_id=agency_ids["police"], agency="police"
            ),
            "admin": Viewer(Role.ADMIN, "admin"),
        }
        try:
            yield City(
                server.url,
                db_url,
                engine,
                keys,
                viewers,
                {i["code"]: Indicator.from_row(i) for i in catalogue},
                lsoa,
                schools_batch=int(schools.json()["batch"]),
                police_batch=int(police.json()["batch"]),
                health_batch=int(health.json()["batch"]),
                passwords={name: user[2] for name, user in USERS.items()},
            )
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def city(demo_template: str, databases: ThrowawayDatabases) -> Iterator[City]:
    with serve_city(demo_template, databases, "nis_test_contracts") as loaded:
        yield loaded


@pytest.fixture(scope="session")
def write_city(demo_template: str, databases: ThrowawayDatabases) -> Iterator[City]:
    """The same city on a database of its own, for tests that write: whatever they
    change, no other test reads."""
    with serve_city(demo_template, databases, "nis_test_writes", analyse=False) as loaded:
        yield loaded
