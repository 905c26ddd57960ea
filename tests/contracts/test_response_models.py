"""Every JSON route declares its response model, and what it sends is that model: each
read of the table (every GET route) and each upload answer is validated against the
model its route declares in the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from app.main import create_app
from app.settings import Settings
from app.uploads.schemas import CatalogueImportOut, EventUploadOut, ObservationUploadOut
from tests.contracts.conftest import WHO, City
from tests.contracts.reads import READS, Read


def _openapi() -> dict[str, Any]:
    app = create_app(Settings(database_url="postgresql://nobody@127.0.0.1:1/none"))
    return app.openapi()


OPENAPI = _openapi()


def _declared(path: str, method: str = "get") -> set[str]:
    """The names of the models the route declares for its success."""
    responses = OPENAPI["paths"][path][method]["responses"]
    ok = responses.get("200") or responses.get("201")
    names = set()
    for media in ok.get("content", {}).values():
        schema = media.get("schema", {})
        for candidate in (schema, schema.get("items", {}), *schema.get("anyOf", [])):
            if "$ref" in candidate:
                names.add(str(candidate["$ref"]).rsplit("/", 1)[-1])
    return names


def _model_name(model: Any) -> str:
    inner = getattr(model, "__args__", (model,))[0]
    return str(inner.__name__)


def test_every_read_route_is_walked() -> None:
    routes = {path for path, ops in OPENAPI["paths"].items() if "get" in ops}
    assert routes == {read.route for read in READS}


@pytest.mark.parametrize("path", sorted(OPENAPI["paths"]))
def test_every_json_route_declares_its_model(path: str) -> None:
    for method, op in OPENAPI["paths"][path].items():
        ok = op["responses"].get("200") or op["responses"].get("201")
        if ok is None:
            # No body: 204, or a redirect (single sign-on's way there and back).
            success = set(op["responses"]) & {"204", "303"}
            assert success, f"{method.upper()} {path} has no success"
            assert not op["responses"][success.pop()].get("content"), f"{method.upper()} {path}"
            continue
        media = set(ok.get("content", {}))
        assert media, f"{method.upper()} {path} declares no media type"
        if media & {"application/json", "application/geo+json", "application/schema+json"}:
            assert _declared(path, method), f"{method.upper()} {path}"


JSON_READS = [read for read in READS if read.model is not None]


@pytest.mark.parametrize("read", JSON_READS, ids=[read.name for read in JSON_READS])
def test_successful_bodies_are_the_declared_model(city: City, read: Read) -> None:
    assert _model_name(read.model) in _declared(read.route)
    validated = 0
    for who in WHO:
        with city.client(who) as client:
            response = client.get(read.url(city), headers=read.headers)
        if response.status_code == 200:
            TypeAdapter(read.model).validate_json(response.content)
            validated += 1
    assert validated > 0, "no viewer could read it"


def test_upload_answers_are_the_declared_models(city: City) -> None:
    assert _declared("/api/observations", "post") == {"ObservationUploadOut"}
    assert _declared("/api/events", "post") == {"EventUploadOut"}
    assert _declared("/api/indicators", "post") == {"CatalogueImportOut"}
    with city.client("schools") as client:
        body = f"area_code,period,indicator,value\n{city.lsoa},2024/25,attainment8,41.5\n"
        stored = client.post(
            "/api/observations", content=body, headers={"Content-Type": "text/csv"}
        )
    assert stored.status_code == 200, stored.text
    ObservationUploadOut.model_validate_json(stored.content)
    with city.client("police") as client:
        recount = client.post("/api/events/recount")
    assert recount.status_code == 200, recount.text
    EventUploadOut.model_validate_json(recount.content)
    with city.client("admin") as client:
        catalogue = client.get("/api/indicators").json()
        same = client.post("/api/indicators", json=catalogue[:1])
    assert same.status_code == 200, same.text
    assert CatalogueImportOut.model_validate_json(same.content).updated == [catalogue[0]["code"]]
