"""The upload routes read their body themselves, so the OpenAPI document declares it
(``app/uploads/bodies.py``): each upload route has a required request body in the media
types its reader takes, and what the document offers an analyst in ``/docs`` works: each
media type's example (or, for a file, the CSV example as that file) sent by a key that
may upload it is stored by a live server."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from app.access.service import create_key
from app.db import unit_of_work
from app.main import create_app
from app.responses import CSV, GEOJSON, GZIP, JSON, OCTET_STREAM
from app.settings import Settings
from app.uploads.bodies import MULTIPART
from app.uploads.reading.workbook import XLSX
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database

OPENAPI = create_app(Settings(database_url="postgresql://nobody@127.0.0.1:1/none")).openapi()
# Each upload route: the media types its reader takes, and whose key uploads the examples.
UPLOADS = {
    "/api/observations": ({CSV, JSON, GZIP, OCTET_STREAM, XLSX, MULTIPART}, "schools"),
    "/api/observations/preview": ({CSV, GZIP, OCTET_STREAM, XLSX, MULTIPART}, "schools"),
    "/api/events": ({CSV, GEOJSON, GZIP, OCTET_STREAM}, "police"),
    "/api/indicators": ({CSV, JSON, OCTET_STREAM}, None),  # administrators only
}
# The POST routes that read no body at all.
BODILESS = {
    "/api/events/recount",
    "/api/batches/{batch_id}/revert",
    "/api/auth/sign-out",
    "/api/auth/sign-out-everywhere",
    "/api/users/{username}/disable",
    "/api/users/{username}/enable",
    "/api/framework/boards/{code}/reports",  # issued now, for the meeting a query names
}
CASES = [(path, media) for path, (types, _) in UPLOADS.items() for media in sorted(types)]


def _body(path: str) -> dict[str, Any]:
    return dict(OPENAPI["paths"][path]["post"]["requestBody"])


def test_every_post_route_declares_its_body_or_reads_none() -> None:
    undeclared = {
        path
        for path, operations in OPENAPI["paths"].items()
        if "post" in operations and "requestBody" not in operations["post"]
    }
    assert undeclared == BODILESS


@pytest.mark.parametrize("path", sorted(UPLOADS))
def test_each_upload_route_declares_the_media_types_it_reads(path: str) -> None:
    body = _body(path)
    assert body["required"] is True
    assert body["description"]
    assert set(body["content"]) == UPLOADS[path][0]
    for media, declared in body["content"].items():
        if media in (GZIP, OCTET_STREAM, XLSX):
            assert declared["schema"] == {"type": "string", "format": "binary"}  # a file
        elif media == MULTIPART:  # a form: the file and the options
            assert declared["schema"]["properties"]["file"]["format"] == "binary"
        else:
            assert "example" in declared, media


def _payload(path: str, media: str) -> bytes:
    content = _body(path)["content"]
    if media == CSV:
        return str(content[CSV]["example"]).encode()
    if media == GZIP:
        return gzip.compress(_payload(path, CSV))
    if media in (OCTET_STREAM, MULTIPART):
        return _payload(path, CSV)  # a file whose contents say what it is
    if media == XLSX:  # the CSV example as a workbook
        book = Workbook()
        for line in _payload(path, CSV).decode().splitlines():
            book.active.append(line.split(","))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    return json.dumps(content[media]["example"]).encode()


@dataclass
class Site:
    url: str
    keys: dict[str | None, str]


@pytest.fixture(scope="module")
def site(demo_template: str, databases: ThrowawayDatabases) -> Iterator[Site]:
    db_url = clone_database(demo_template, "nis_test_upload_bodies", databases)
    with unit_of_work(db_url) as session:
        keys: dict[str | None, str] = {None: create_key(session, None, admin=True)}
        for agency in ("schools", "police"):
            keys[agency] = create_key(session, agency)
    with LiveServer(Settings(database_url=db_url, analysis_after_upload=False)) as server:
        yield Site(server.url, keys)


@pytest.mark.parametrize(("path", "media"), CASES, ids=[f"{p}:{m}" for p, m in CASES])
def test_each_declared_example_is_stored(site: Site, path: str, media: str) -> None:
    key = {"Authorization": f"Bearer {site.keys[UPLOADS[path][1]]}"}
    if media == MULTIPART:  # the page's form, the file in the field "file"
        files = {"file": ("example.csv", _payload(path, media), CSV)}
        response = httpx.post(f"{site.url}{path}", files=files, headers=key, timeout=120)
    else:
        response = httpx.post(
            f"{site.url}{path}",
            content=_payload(path, media),
            headers={"Content-Type": media, **key},
            timeout=120,
        )
    assert response.status_code == 200, response.text
