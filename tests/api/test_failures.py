"""Failures say so: a database outage is a 503 with Retry-After (and service resumes when
the database does); a layer whose read fails never looks like a complete (empty or short)
layer; and a database error's log line carries no uploaded value. Each against a real
PostgreSQL: a database refusing connections, a row PostGIS cannot transform, a CHECK."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.access.service import create_key
from app.db import sqlalchemy_url, unit_of_work
from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database

BNG = "http://www.opengis.net/def/crs/EPSG/0/27700"
# A whole layer in British National Grid: each feature is transformed as it is read.
ITEMS_IN_BNG = f"/ogc/collections/lsoa/items?limit=100000&crs={BNG}"


@dataclass
class Clone:
    url: str
    name: str
    server_url: str

    def admin(self, sql: str) -> None:
        """Run ``sql`` as the server's owner, outside the clone (autocommit)."""
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def sql(self, sql: str) -> None:
        with unit_of_work(self.url) as session:
            session.execute(text(sql))


@pytest.fixture
def clone(demo_template: str, databases: ThrowawayDatabases) -> Clone:
    url = clone_database(demo_template, "nis_test_failures", databases)
    name = str(make_url(sqlalchemy_url(url)).database)
    return Clone(url, name, databases.server_url)


def _serve(clone: Clone, **settings: object) -> LiveServer:
    return LiveServer(
        Settings(database_url=clone.url, analysis_after_upload=False, **settings)  # type: ignore[arg-type]
    )


def test_a_database_outage_is_a_503_with_retry_after_and_service_resumes(clone: Clone) -> None:
    with _serve(clone) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        assert client.get("/api/indicators").status_code == 200
        clone.admin(f'ALTER DATABASE "{clone.name}" ALLOW_CONNECTIONS false')
        try:
            clone.admin(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{clone.name}'"
            )
            down = client.get("/api/indicators")
            down_stream = client.get("/ogc/collections/lsoa/items")
        finally:
            clone.admin(f'ALTER DATABASE "{clone.name}" ALLOW_CONNECTIONS true')
        back = client.get("/api/indicators")
    for response in (down, down_stream):
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert int(response.headers["retry-after"]) > 0
        assert response.json()["code"] == "database_unavailable"
    assert back.status_code == 200, back.text


def test_a_huge_offset_is_refused_before_the_layer_streams(clone: Clone) -> None:
    with _serve(clone) as server:
        response = httpx.get(
            f"{server.url}/ogc/collections/lsoa/items?offset=99999999999999999999", timeout=60
        )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.fixture
def broken_row(clone: Clone) -> Clone:
    """The LSOA layer with, last by code, an area PostGIS cannot transform to the BNG."""
    clone.sql(
        "INSERT INTO area (type_code, code, name, vintage, geom, area_km2) "
        "SELECT 'lsoa', 'ZZZ-BROKEN', 'Beyond the map', max(vintage), "
        "ST_Multi(ST_MakeEnvelope(1e300, 1e300, 2e300, 2e300, 4326)), 1 "
        "FROM area WHERE type_code = 'lsoa'"
    )
    return clone


def test_a_read_failing_in_its_first_rows_is_an_error_status(broken_row: Clone) -> None:
    # Every row in the first batch: the failure comes before anything is sent.
    with _serve(broken_row, stream_batch_rows=100_000) as server:
        response = httpx.get(server.url + ITEMS_IN_BNG, timeout=60)
    assert response.status_code == 500, response.text[:200]
    assert response.json()["code"] == "internal_error"


def test_a_read_failing_midway_is_an_incomplete_transfer(broken_row: Clone) -> None:
    # One row per round trip: the stream has begun (200) when the last row fails.
    received = bytearray()
    with (
        _serve(broken_row, stream_batch_rows=1) as server,
        httpx.stream("GET", server.url + ITEMS_IN_BNG, timeout=60) as response,
    ):
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError, match="incomplete"):
            _read_into(response, received)
    assert received.startswith(b'{"type": "FeatureCollection"')
    with pytest.raises(json.JSONDecodeError):
        json.loads(received)


def _read_into(response: httpx.Response, received: bytearray) -> None:
    for chunk in response.iter_bytes():
        received += chunk


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything logged, by the app and by the server (uvicorn does not propagate)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    loggers = [logging.getLogger(), logging.getLogger("uvicorn")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    yield stream
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


def test_a_database_error_in_an_upload_logs_no_uploaded_value(
    clone: Clone, captured_logs: io.StringIO
) -> None:
    secret_value, secret_area = "4242424.4242", "E01008128"
    clone.sql(
        "ALTER TABLE observation ADD CONSTRAINT refuse_large_values "
        "CHECK (value < 1000000) NOT VALID"
    )
    with unit_of_work(clone.url) as session:
        key = create_key(session, "schools", label="failing upload")
    body = f"area_code,period,indicator,value\n{secret_area},2024/25,attainment8,{secret_value}\n"
    with _serve(clone) as server:
        response = httpx.post(
            f"{server.url}/api/observations",
            content=body.encode(),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv"},
            timeout=60,
        )
    assert response.status_code == 500, response.text
    logged = captured_logs.getvalue()
    assert "refuse_large_values" in logged  # the error is logged, and says which check
    assert secret_value not in logged
    assert "Failing row" not in logged
