"""A live server on a copy of the demo city where partners have also uploaded: police
events (whose raw rows must never be served) and a schools file, each a batch of its
agency; with keys for an agency and an administrator, and the viewers they stand for."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.access.service import create_key
from app.access.viewer import PUBLIC, Role, Viewer
from app.db import unit_of_work
from app.indicators.indicator import Indicator
from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database

# Who walks the routes: the public, an agency's key and an administrator's.
WHO = ("public", "police", "admin")
EVENT_IDS = [f"leak-check-{n:03d}" for n in range(40)]


@dataclass
class City:
    url: str
    db_url: str
    keys: dict[str, str]
    viewers: dict[str, Viewer]
    indicators: dict[str, Indicator]
    lsoa: str  # an LSOA with values
    schools_batch: int
    police_batch: int

    def client(self, who: str) -> httpx.Client:
        headers = {} if who == "public" else {"Authorization": f"Bearer {self.keys[who]}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120)

    def sql(self, query: str, **params: Any) -> list[Any]:
        with unit_of_work(self.db_url) as session:
            return list(session.execute(text(query), params).all())


def _events_csv(points: list[Any]) -> bytes:
    lines = ["id,category,date,longitude,latitude"]
    for event_id, (lon, lat) in zip(EVENT_IDS, points, strict=False):
        lines.append(f"{event_id},Criminal damage and arson,2023-12-05,{lon},{lat}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="session")
def city(demo_template: str, databases: ThrowawayDatabases) -> Iterator[City]:
    db_url = clone_database(demo_template, "nis_test_contracts", databases)
    keys: dict[str, str] = {}
    with unit_of_work(db_url) as session:
        keys["admin"] = create_key(session, None, admin=True, label="contracts admin")
        for agency in ("police", "schools"):
            keys[agency] = create_key(session, agency, label=f"contracts {agency}")
        agency_ids = dict(session.execute(text("SELECT name, id FROM agency")).all())
        points = session.execute(
            text(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM area "
                "WHERE type_code = 'lsoa' ORDER BY code LIMIT :n) s"
            ),
            {"n": len(EVENT_IDS)},
        ).all()
        lsoa = session.execute(
            text("SELECT code FROM area WHERE type_code = 'lsoa' ORDER BY code LIMIT 1")
        ).scalar_one()
    settings = Settings(database_url=db_url, analysis_after_upload=False)
    with LiveServer(settings) as server:
        police = httpx.post(
            f"{server.url}/api/events",
            content=_events_csv(points),
            headers={"Authorization": f"Bearer {keys['police']}", "Content-Type": "text/csv"},
            timeout=120,
        )
        assert police.status_code == 200, police.text
        schools = httpx.post(
            f"{server.url}/api/observations",
            content=f"area_code,period,indicator,value,numerator,denominator\n"
            f"{lsoa},2024/25,persistent_absence,25,2,8\n".encode(),
            headers={"Authorization": f"Bearer {keys['schools']}", "Content-Type": "text/csv"},
            timeout=120,
        )
        assert schools.status_code == 200, schools.text
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
        yield City(
            server.url,
            db_url,
            keys,
            viewers,
            {i["code"]: Indicator.from_row(i) for i in catalogue},
            lsoa,
            schools_batch=int(schools.json()["batch"]),
            police_batch=int(police.json()["batch"]),
        )
