"""Hostile parameters get a 4xx, never a 500, on every route: a NUL character in any text
parameter (path or query; PostgreSQL's text cannot hold one), and integers beyond what
PostgreSQL's integer and bigint hold (``offset=99999999999999999999``); and whatever a
route answers is a status and media type its OpenAPI operation documents."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest

from tests.contracts.conftest import City
from tests.contracts.reads import READS
from tests.contracts.test_response_models import OPENAPI

HUGE = "99999999999999999999"


def _template_values(template: str, path: str) -> dict[str, str]:
    """The path parameters of a concrete ``path`` of the route ``template``."""
    pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+?)", re.escape(template))
    match = re.fullmatch(pattern, path)
    assert match, (template, path)
    return match.groupdict()


def _hostile_urls(route: str, url: str, method: str = "get") -> list[tuple[str, str]]:
    """(what, url) for each parameter of the operation: a NUL in each text parameter and
    a huge integer in each integer one, the rest of the request left valid."""
    split = urlsplit(url)
    path_values = _template_values(route, split.path)
    query = dict(parse_qsl(split.query))
    cases = []
    for parameter in OPENAPI["paths"][route][method].get("parameters", []):
        name, where = parameter["name"], parameter["in"]
        if where not in ("path", "query"):
            continue
        schema = parameter["schema"]
        types = {s.get("type") for s in (schema, *schema.get("anyOf", []))}
        hostile = []
        if "string" in types:
            hostile.append(("NUL", f"a\x00{path_values.get(name) or query.get(name) or 'b'}"))
        if "integer" in types:
            hostile += [("huge", HUGE), ("-huge", "-" + HUGE)]
        for label, value in hostile:
            values = {**path_values}
            params = {**query}
            if where == "path":
                values[name] = value
            else:
                params[name] = value
            path = route
            for key, val in values.items():
                path = path.replace("{" + key + "}", quote(val, safe=""))
            cases.append((f"{name}={label}", f"{path}?{urlencode(params)}"))
    return cases


def _documented(route: str, method: str, status: int) -> set[str]:
    responses = OPENAPI["paths"][route][method]["responses"]
    assert str(status) in responses, f"{status} is not documented for {method.upper()} {route}"
    return set(responses[str(status)].get("content", {}))


# One valid request per route (an agency's and the admin's routes are read with the
# admin's key), each parameter then made hostile in turn.
ROUTES = {read.route: read for read in reversed(READS)}
HOSTILE_TYPES = {"string", "integer"}


def _takes_hostile(route: str) -> bool:
    for parameter in OPENAPI["paths"][route]["get"].get("parameters", []):
        schema = parameter["schema"]
        types = {s.get("type") for s in (schema, *schema.get("anyOf", []))}
        if parameter["in"] in ("path", "query") and types & HOSTILE_TYPES:
            return True
    return False


def _media(response: Any) -> str:
    return str(response.headers.get("content-type", "")).split(";")[0].strip()


@pytest.mark.parametrize("route", sorted(r for r in ROUTES if _takes_hostile(r)))
def test_hostile_parameters_are_refused(city: City, route: str) -> None:
    read = ROUTES[route]
    cases = _hostile_urls(route, read.url(city))
    assert cases
    with city.client("admin") as client:
        for what, url in cases:
            response = client.get(url, headers=read.headers)
            assert 400 <= response.status_code < 500, (what, url, response.text[:300])
            media = _documented(route, "get", response.status_code)
            assert _media(response) in media, (what, url, _media(response), media)


def test_an_upload_parameter_with_a_nul_is_refused(city: City) -> None:
    with city.client("admin") as client:
        recount = client.post("/api/events/recount", params={"agency": "pol\x00ice"})
        upload = client.post(
            "/api/observations",
            params={"period": "2024\x00"},
            content=b"area_code,indicator,value\n",
            headers={"Content-Type": "text/csv"},
        )
    assert recount.status_code == 400, recount.text
    assert upload.status_code == 400, upload.text


def test_a_bbox_beyond_the_projection_is_clipped_to_it(city: City) -> None:
    # PostGIS cannot transform +-1e308 metres of the British National Grid: it was a 500.
    bng = "http://www.opengis.net/def/crs/EPSG/0/27700"
    with city.client("public") as client:
        everything = client.get("/ogc/collections/lsoa/items", params={"limit": 1})
        huge = client.get(
            "/ogc/collections/lsoa/items",
            params={"limit": 1, "bbox": "-1e308,-1e308,1e308,1e308", "bbox-crs": bng},
        )
    assert huge.status_code == 200, huge.text
    assert huge.json()["numberMatched"] == everything.json()["numberMatched"]
