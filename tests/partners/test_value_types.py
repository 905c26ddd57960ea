"""Every value type, as its table entry (app/indicators/value_types.py) describes it,
goes through the whole system: the catalogue, the demo's generator, an upload (with the
type's own checks), the reads (observations, map, profile, OGC items) and an analysis
run. A value type added to the table is covered here without a new test."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from app.demo_indicators import DemoArea, demo_observations
from app.indicators.catalogue import catalogue_to_json, default_catalogue
from app.indicators.indicator import Indicator
from app.indicators.value_types import ValueType, value_kind
from tests.conftest import ThrowawayDatabases
from tests.partners.conftest import Partners, Template, _serve


def probe(value_type: ValueType) -> Indicator:
    """An indicator of ``value_type``, public, owned by health, with no references."""
    kind = value_kind(value_type)
    template = next(i for i in default_catalogue() if i.code == "stroke_admissions")
    return dataclasses.replace(
        template,
        code=f"probe_{value_type.value}",
        title=f"Probe of {value_type.value}",
        value_type=value_type,
        multiplier=kind.multiplier or 1000,
        unit="per 1,000" if kind.needs_denominator else template.unit,
        period_type=template.period_type,
        denominator="population" if kind.needs_denominator else None,
        numerator=None,
        disclosure_threshold=None,
    )


PROBES = [probe(value_type) for value_type in ValueType]


@pytest.fixture(scope="module")
def probed(
    partner_template: Template, databases: ThrowawayDatabases
) -> Iterator[tuple[Partners, dict[str, Any]]]:
    for partners in _serve(partner_template, databases):
        with partners.client("admin") as admin:
            added = admin.post("/api/indicators", json=catalogue_to_json(PROBES))
            assert added.status_code == 200, added.text
        codes = partners.sql("SELECT code FROM area WHERE type_code = 'lsoa' ORDER BY code")
        areas = [DemoArea(code, code, 1.0) for (code,) in codes]
        generated = demo_observations(areas, PROBES)
        lines = ["area_code,period,indicator,value,numerator,denominator"]
        for o in generated:
            parts = ("" if p is None else f"{p}" for p in (o.numerator, o.denominator))
            lines.append(f"{o.area_code},{o.period},{o.indicator},{o.value},{','.join(parts)}")
        with partners.client("health") as health:
            stored = health.post(
                "/api/observations",
                content="\n".join(lines),
                headers={"Content-Type": "text/csv"},
            )
            assert stored.status_code == 200, stored.text
        with partners.client("admin") as admin:
            run = admin.post("/api/analysis/runs", json={"area_type": "lsoa"})
            assert run.status_code == 201, run.text
        yield partners, {"generated": generated, "run": run.json(), "area": areas[0].code}


@pytest.mark.parametrize("indicator", PROBES, ids=[p.value_type.value for p in PROBES])
def test_every_value_type_is_uploaded_read_mapped_and_analysed(
    probed: tuple[Partners, dict[str, Any]], indicator: Indicator
) -> None:
    partners, state = probed
    kind = indicator.kind
    expected = [o for o in state["generated"] if o.indicator == indicator.code]
    assert expected
    with partners.client() as public:
        read = public.get(f"/api/observations?indicator={indicator.code}&type=lsoa")
        assert read.status_code == 200
        assert len(read.json()["observations"]) == len(expected)
        legend = public.get(f"/api/maps/{indicator.code}?geometry=false").json()["legend"]
        assert legend["indicator"]["value_type"] == indicator.value_type.value
        profile = public.get(f"/api/areas/{state['area']}/profile").json()
        assert indicator.code in {e["indicator"]["code"] for e in profile["indicators"]}
        items = public.get(f"/ogc/collections/{indicator.code}/items")
        assert items.status_code == 200
    summary = state["run"]["summary"]["area_types"]["lsoa"]
    assert indicator.code in {**summary["tested"], **summary["skipped"]}
    # The type's own checks hold for uploads: its sign, its bounds, whole numbers.
    bad: list[tuple[float, str]] = []
    if not kind.negative:
        bad.append((-1, "cannot be negative"))
    if kind.maximum is not None:
        bad.append((kind.maximum + 1, f"0 to {kind.maximum:g} expected"))
    if kind.whole:
        bad.append((1.5, "a whole number is expected"))
    for value, reason in bad:
        refused = _upload_one(partners, state["area"], expected[0].period, indicator, value)
        assert refused.status_code == 422, refused.text
        assert any(reason in e["reason"] for e in refused.json()["errors"]), refused.text
    if kind.negative:  # a negative value of a type that allows one is stored
        stored = _upload_one(partners, state["area"], expected[0].period, indicator, -2.5)
        assert stored.status_code == 200, stored.text


def _upload_one(
    partners: Partners, area: str, period: str, indicator: Indicator, value: float
) -> Any:
    with partners.client("health") as health:
        return health.post(
            "/api/observations",
            content=f"area_code,period,indicator,value\n{area},{period},{indicator.code},{value}\n",
            headers={"Content-Type": "text/csv"},
        )
