"""The map's legend over real HTTP on the demo city: small monthly counts get natural
breaks instead of tied quantiles, with no empty or overlapping class; deciles get one
named class each; the page's default indicator is a rate whose classes are all full."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import httpx
import pytest

from app.maps.schemas import MapValues
from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database

DECILES = ["1 (most deprived)", *map(str, range(2, 10)), "10 (least deprived)"]


@pytest.fixture(scope="module")
def site(demo_template: str, databases: ThrowawayDatabases) -> Iterator[str]:
    url = clone_database(demo_template, "nis_test_legend", databases)
    with LiveServer(Settings(database_url=url, analysis_after_upload=False)) as server:
        yield server.url


def _values(site: str, indicator: str, **params: Any) -> dict[str, Any]:
    response = httpx.get(
        f"{site}/api/maps/{indicator}", params={"geometry": "false", **params}, timeout=60
    )
    assert response.status_code == 200, response.text
    MapValues.model_validate(response.json())  # the documented contract
    return dict(response.json())


def _assert_full_and_apart(body: dict[str, Any]) -> None:
    classes = body["legend"]["classes"]
    assert all(c["count"] > 0 for c in classes)
    for before, after in pairwise(classes):
        assert after["least"] > before["upper"]  # no two classes share a value
    for area in body["areas"].values():
        if area["status"] == "data":
            cls = classes[area["class"]]
            assert cls["least"] <= area["value"] <= cls["upper"]


def test_tied_quantiles_of_a_months_small_rates_become_natural_breaks(site: str) -> None:
    body = _values(site, "burglary_rate", type="lsoa", scheme="quantiles", classes=5)
    legend = body["legend"]
    assert legend["scheme"] == "fisher_jenks"
    assert legend["classification_note"].startswith("natural breaks (Fisher-Jenks), not quantiles")
    assert "areas have 0" in legend["classification_note"]
    assert not legend["categorical"]
    _assert_full_and_apart(body)


def test_the_default_indicator_has_full_classes_as_asked(site: str) -> None:
    body = _values(site, "all_crime_rate", type="lsoa")
    legend = body["legend"]
    assert legend["indicator"]["value_type"] == "rate"
    assert legend["scheme"] == "quantiles"
    assert legend["classification_note"] is None
    assert len(legend["classes"]) == 5
    _assert_full_and_apart(body)


@pytest.mark.parametrize("asked", [{}, {"scheme": "equal_interval", "classes": 3}])
def test_deciles_get_one_named_class_each_whatever_is_asked(
    site: str, asked: dict[str, Any]
) -> None:
    body = _values(site, "imd_decile", type="lsoa", **asked)
    legend = body["legend"]
    assert legend["categorical"] is True
    assert legend["scheme"] == "categories"
    assert [c["label"] for c in legend["classes"]] == DECILES
    assert [(c["lower"], c["upper"]) for c in legend["classes"]] == [
        (float(b), float(b)) for b in range(1, 11)
    ]
    assert sum(c["count"] for c in legend["classes"]) == 345
    assert len({c["colour"] for c in legend["classes"]}) == 10
    for area in body["areas"].values():
        assert legend["classes"][area["class"]]["lower"] == area["value"]


def test_a_bad_scheme_is_refused_for_deciles_too(site: str) -> None:
    response = httpx.get(f"{site}/api/maps/imd_decile", params={"scheme": "jenks"}, timeout=60)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
