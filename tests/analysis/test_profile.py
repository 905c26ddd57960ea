"""The neighbourhood profile's contract on the demo city, against values worked out here
from the observations API: 12-month totals of monthly counts with the city's value,
Poisson and Wilson intervals, the spine of every area, groups by partner and topic, the
trend word, series with the city line and band; and the compare-areas view. Suppressed
values stay hidden from the public in every one of them."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from scipy import stats

from app.access.service import create_key
from app.analysis.compare_areas import CompareOut
from app.analysis.schemas import ProfileOut
from app.db import unit_of_work
from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database
from tests.disclosure_attack import Knowledge, _window_totals, leaks, recover

PLANTED = "E01007827"  # criminal damage and persistent absence, together, from 2023-01
SMALL = "accidental_dwelling_fires"  # monthly counts below 3 are hidden from the public
WORDS = {"getting worse", "getting better", "no significant change", "cannot be calculated",
         "increasing", "decreasing"}  # fmt: skip


@dataclass
class Site:
    public: httpx.Client
    admin: httpx.Client


@pytest.fixture(scope="module")
def site(demo_template: str, databases: ThrowawayDatabases) -> Iterator[Site]:
    url = clone_database(demo_template, "nis_test_profile", databases)
    with unit_of_work(url) as session:
        key = create_key(session, None, admin=True, label="profile tests")
    with LiveServer(Settings(database_url=url, analysis_after_upload=False)) as server:
        headers = {"Authorization": f"Bearer {key}"}
        with (
            httpx.Client(base_url=server.url, timeout=120) as public,
            httpx.Client(base_url=server.url, timeout=120, headers=headers) as admin,
        ):
            yield Site(public, admin)


def _json(client: httpx.Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.json()


def _profile(client: httpx.Client, code: str) -> dict[str, Any]:
    body = _json(client, f"/api/areas/{code}/profile")
    ProfileOut.model_validate(body)
    return dict(body)


def _entry(profile: dict[str, Any], code: str) -> dict[str, Any]:
    return next(e for e in profile["indicators"] if e["indicator"]["code"] == code)


def _observations(client: httpx.Client, code: str) -> dict[str, dict[str, dict[str, Any]]]:
    """Every LSOA's observations of ``code`` as ``client`` sees them: area -> period -> row."""
    out: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    body = _json(client, f"/api/observations?indicator={code}&type=lsoa")
    for o in body["observations"]:
        out[o["area_code"]][o["period"]] = o
    return out


def _populations(client: httpx.Client) -> dict[str, float]:
    rows = _observations(client, "population")
    return {a: float(by[max(by)]["value"]) for a, by in rows.items()}


def _byar(k: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """Byar's approximation, written out from the guidance (for 10 or more events)."""
    lower = k * (1 - 1 / (9 * k) - z / (3 * math.sqrt(k))) ** 3
    upper = (k + 1) * (1 - 1 / (9 * (k + 1)) + z / (3 * math.sqrt(k + 1))) ** 3
    return lower, upper


def _exact(k: float) -> tuple[float, float]:
    lower = 0.0 if k == 0 else stats.chi2.ppf(0.025, 2 * k) / 2
    return lower, stats.chi2.ppf(0.975, 2 * k + 2) / 2


def _wilson(k: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n) * 100, (centre + half) / (1 + z * z / n) * 100


def _window(rows: dict[str, dict[str, Any]]) -> list[str]:
    return sorted({p for by in rows.values() for p in by})[-12:]


def test_profile_groups_by_partner_and_topic_with_deprivation_last(site: Site) -> None:
    profile = _profile(site.public, PLANTED)
    groups = profile["groups"]
    topics = [g["topic"] for g in groups]
    assert topics[-1] == "deprivation"
    assert topics[-2] == "population"
    listed = [c for g in groups for c in g["indicators"]]
    assert listed == [e["indicator"]["code"] for e in profile["indicators"]]
    for g in groups:
        for code in g["indicators"]:
            e = _entry(profile, code)
            assert (e["group"]["agency"], e["group"]["topic"]) == (g["agency"], g["topic"])
            assert e["indicator"]["agency"] == g["agency"]
    catalogue = {i["code"]: i for i in _json(site.public, "/api/indicators")}
    for e in profile["indicators"]:
        ind = catalogue[e["indicator"]["code"]]
        assert (e["definition"], e["source"], e["licence"]) == (
            ind["definition"], ind["source"], ind["licence"])  # fmt: skip
        assert e["trend_word"] in WORDS


def test_a_monthly_count_is_a_12_month_total_against_the_city(site: Site) -> None:
    code = "criminal_damage_arson"
    rows = _observations(site.admin, code)
    months = _window(rows)
    pops = _populations(site.admin)
    totals = {a: sum(by[m]["value"] for m in months) for a, by in rows.items()}
    entry = _entry(_profile(site.public, PLANTED), code)
    assert entry["window"] == {"from": months[0], "to": months[-1], "months": 12}
    assert entry["period"] == f"{months[0]} to {months[-1]}"
    k = totals[PLANTED]
    assert entry["value"] == pytest.approx(k)
    low, high = _byar(k)
    assert entry["interval"] == {"low": pytest.approx(low, rel=1e-5),
                                 "high": pytest.approx(high, rel=1e-5), "level": 0.95}  # fmt: skip
    city_rate = sum(totals.values()) / sum(pops[a] for a in totals) * 1000
    assert entry["rate"]["city"] == pytest.approx(city_rate, rel=1e-5)
    assert entry["rate"]["value"] == pytest.approx(k / pops[PLANTED] * 1000, rel=1e-5)
    assert entry["city"]["value"] == pytest.approx(city_rate * pops[PLANTED] / 1000, rel=1e-5)
    # The latest month alone is kept beside the window.
    latest = entry["latest_month"]
    assert latest["period"] == months[-1]
    assert latest["value"] == rows[PLANTED][months[-1]]["value"]
    # The comparison is over the same 12 months as the alert, and agrees with it.
    alerts = [a for a in entry["alerts"] if a["kind"] == "correlated"]
    assert alerts
    assert alerts[0]["period_from"] == months[0]
    assert entry["benchmark"]["period"] == entry["period"]
    assert entry["benchmark"]["label"] == "worse"


def test_the_spine_is_every_area_of_the_type_on_the_value_scale(site: Site) -> None:
    code = "criminal_damage_arson"
    rows = _observations(site.admin, code)
    months = _window(rows)
    totals = sorted(sum(by[m]["value"] for m in months) for by in rows.values())
    spine = _entry(_profile(site.public, PLANTED), code)["spine"]
    q1, median, q3 = statistics.quantiles(totals, n=4, method="inclusive")
    assert spine["n"] == len(totals) == 345
    assert spine["hidden"] == 0
    assert (spine["min"], spine["max"]) == (totals[0], totals[-1])
    assert spine["q1"] == pytest.approx(q1)
    assert spine["median"] == pytest.approx(median)
    assert spine["q3"] == pytest.approx(q3)
    mine = sum(rows[PLANTED][m]["value"] for m in months)
    assert spine["area_rank"] == 1 + sum(1 for t in totals if t > mine)


def test_a_percentage_has_a_wilson_interval_and_the_pooled_city(site: Site) -> None:
    code = "child_obesity_year6"
    rows = _observations(site.admin, code)
    latest = max(p for by in rows.values() for p in by)
    entry = _entry(_profile(site.admin, PLANTED), code)
    assert entry["window"] is None
    assert entry["period"] == latest
    row = rows[PLANTED][latest]
    low, high = _wilson(row["numerator"], row["denominator"])
    assert entry["interval"]["low"] == pytest.approx(low, rel=1e-5)
    assert entry["interval"]["high"] == pytest.approx(high, rel=1e-5)
    at = [by[latest] for by in rows.values() if latest in by]
    pooled = sum(r["numerator"] for r in at) / sum(r["denominator"] for r in at) * 100
    assert entry["city"]["value"] == pytest.approx(pooled, rel=1e-5)
    # The series carries the city line and the band, period by period.
    for point in entry["series"]:
        p = point["period"]
        there = [by[p] for by in rows.values() if p in by]
        city = sum(r["numerator"] for r in there) / sum(r["denominator"] for r in there) * 100
        assert point["city"] == pytest.approx(city, rel=1e-5)
        mine = rows[PLANTED][p]
        lo, hi = _wilson(mine["numerator"], mine["denominator"])
        assert (point["low"], point["high"]) == (pytest.approx(lo, rel=1e-5),
                                                 pytest.approx(hi, rel=1e-5))  # fmt: skip


def test_a_monthly_series_has_the_citys_expected_count_and_a_poisson_band(site: Site) -> None:
    code = "burglary"
    rows = _observations(site.admin, code)
    pops = _populations(site.admin)
    entry = _entry(_profile(site.admin, PLANTED), code)
    assert len(entry["series"]) == 24
    for point in entry["series"][-3:]:
        p = point["period"]
        rate = sum(by[p]["value"] for by in rows.values()) / sum(pops[a] for a in rows)
        assert point["city"] == pytest.approx(rate * pops[PLANTED], rel=1e-5)
        k = rows[PLANTED][p]["value"]
        lo, hi = _byar(k) if k >= 10 else _exact(k)
        assert point["low"] == pytest.approx(lo, rel=1e-5, abs=1e-9)
        assert point["high"] == pytest.approx(hi, rel=1e-5)


def test_a_12_month_total_is_hidden_wherever_one_of_its_months_is(site: Site) -> None:
    public = _observations(site.public, SMALL)
    months = _window(public)
    hidden_somewhere = [a for a, by in public.items() if any(by[m]["suppressed"] for m in months)]
    shown = [a for a, by in public.items() if a not in hidden_somewhere]
    assert hidden_somewhere
    for area in hidden_somewhere[:3]:
        entry = _entry(_profile(site.public, area), SMALL)
        assert entry["suppressed"]
        assert entry["value"] is None
        assert entry["interval"] is None
        assert entry["rate"] is None
        assert entry["benchmark"]["label"] == "not compared"
        spine = entry["spine"]
        assert spine is None if len(shown) < 3 else spine["hidden"] == len(hidden_somewhere)
    partner = _entry(_profile(site.admin, hidden_somewhere[0]), SMALL)
    assert not partner["suppressed"]
    assert partner["spine"]["n"] == len(public)


def test_the_spine_is_made_of_the_values_the_viewer_sees(site: Site) -> None:
    code = "child_obesity_year6"
    public = _observations(site.public, code)
    latest = max(p for by in public.values() for p in by)
    at = [by[latest] for by in public.values() if latest in by]
    seen = sorted(o["value"] for o in at if not o["suppressed"])
    hidden = sum(1 for o in at if o["suppressed"])
    assert hidden
    assert len(seen) >= 3
    area = next(o["area_code"] for o in at if not o["suppressed"])
    spine = _entry(_profile(site.public, area), code)["spine"]
    assert (spine["n"], spine["hidden"]) == (len(seen), hidden)
    assert (spine["min"], spine["max"]) == (pytest.approx(seen[0]), pytest.approx(seen[-1]))
    assert spine["median"] == pytest.approx(statistics.median(seen))
    partner = _entry(_profile(site.admin, area), code)["spine"]
    assert (partner["n"], partner["hidden"]) == (len(at), 0)


def test_the_public_profiles_windows_give_no_hidden_month_back(site: Site) -> None:
    """The attacker knows every published month and each profile's 12-month total
    (the sum of its months): no hidden month may follow."""
    public = _observations(site.public, SMALL)
    truth = _observations(site.admin, SMALL)
    months = _window(public)
    k = Knowledge()
    for area, by in public.items():
        for period, o in by.items():
            key = (SMALL, "value", area, period)
            if o["suppressed"]:
                k.hide(key, "observations")
            else:
                k.learn(key, o["value"], "observations")
    ind = {"code": SMALL, "value_type": "count"}
    hidden = sorted({a for a, by in public.items() if any(by[m]["suppressed"] for m in months)})
    for area in hidden[:6] + sorted(set(public) - set(hidden))[:6]:
        entry = _entry(_profile(site.public, area), SMALL)
        key = (SMALL, "value", area, entry["period"])
        if entry["suppressed"]:
            k.hide(key, "profiles")
        else:
            k.learn(key, entry["value"], "profiles")
        _window_totals(k, ind, area, entry)
    real = {(SMALL, "value", a, p): float(o["value"]) for a, by in truth.items()
            for p, o in by.items()}  # fmt: skip
    assert leaks(recover(k), real) == {}


def test_compare_lists_every_area_with_its_interval_as_the_map_shows_it(site: Site) -> None:
    code = "child_obesity_year6"
    for client in (site.public, site.admin):
        body = _json(client, f"/api/indicators/{code}/compare?type=lsoa")
        CompareOut.model_validate(body)
        values = _json(client, f"/api/maps/{code}?type=lsoa&geometry=false")
        assert body["period"] == values["legend"]["period"]
        assert body["city"] == values["legend"]["city"]
        assert body["unit"] == "%"
        shown = {a["code"]: a for a in body["areas"]}
        for area, props in values["areas"].items():
            assert shown[area]["suppressed"] == (props["status"] == "suppressed")
            assert shown[area]["value"] == props["value"]
        rows = _observations(client, code)
        for a in body["areas"][:20]:
            o = rows[a["code"]][body["period"]]
            if a["suppressed"]:
                assert a["value"] is None
                assert a["low"] is None
                assert a["high"] is None
            else:
                lo, hi = _wilson(o["numerator"], o["denominator"])
                assert (a["low"], a["high"]) == (pytest.approx(lo, rel=1e-5),
                                                 pytest.approx(hi, rel=1e-5))  # fmt: skip
        ordered = [a["value"] for a in body["areas"] if a["value"] is not None]
        assert ordered == sorted(ordered, reverse=True)


def test_compare_refuses_what_the_map_refuses(site: Site) -> None:
    assert site.public.get("/api/indicators/fsm_eligible/compare").status_code == 404
    assert site.admin.get("/api/indicators/fsm_eligible/compare").status_code == 200
    bad = site.public.get("/api/indicators/burglary/compare?period=1999-01")
    assert bad.status_code == 400
    assert "1999-01" in bad.json()["detail"]
    assert site.public.get("/api/indicators/burglary/compare?type=nope").status_code == 400
