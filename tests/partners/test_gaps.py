"""The gap view over real HTTP: Sheffield's real LSOAs, an IMD rank for each, and
burglary planted to widen between the city's most deprived fifth and the rest, robbery
with a steady gap; partners-only and rank indicators; and an attacker who differences the
public gap groups against the published areas to get a suppressed fire count back."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from app.analysis.stats.gap import deprivation_groups
from tests.disclosure_attack import Knowledge, recover
from tests.partners.conftest import Partners

MONTHS = [f"{y}-{m:02d}" for y in (2022, 2023) for m in range(1, 13)]
POPULATION = 1000
Z95 = 1.959963984540054


def _upload(
    http: httpx.Client, rows: list[str], header: str = "area_code,period,indicator,value"
) -> None:
    body = "\n".join([header, *rows]) + "\n"
    response = http.post(
        "/api/observations", content=body.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text[:500]


def _city(partners: Partners) -> list[str]:
    """LSOA codes, most deprived first: IMD rank = position (the city ranks them so)."""
    codes = [
        r[0] for r in partners.sql("SELECT code FROM area WHERE type_code = 'lsoa' ORDER BY code")
    ]
    with partners.client("council") as council:
        _upload(council, [f"{c},2019,imd_rank,{n * 50 + 7}" for n, c in enumerate(codes)])
        _upload(council, [f"{c},{y},population,{POPULATION}" for c in codes for y in (2022, 2023)])
    return codes


def _plant(partners: Partners, codes: list[str]) -> int:
    """Burglary: 5 a month everywhere, but in the most deprived fifth 5 + t in month t
    (a widening gap); robbery: 8 in the fifth and 4 elsewhere (a steady one)."""
    fifth = len(codes) // 5
    burglary, robbery = [], []
    for n, code in enumerate(codes):
        for t, month in enumerate(MONTHS):
            burglary.append(f"{code},{month},burglary,{5 + t if n < fifth else 5}")
            robbery.append(f"{code},{month},robbery,{8 if n < fifth else 4}")
    with partners.client("police") as police:
        _upload(police, burglary)
        _upload(police, robbery)
    return fifth


def test_a_widening_gap_is_widening_with_pooled_rates_and_intervals(partners: Partners) -> None:
    codes = _city(partners)
    fifth = _plant(partners, codes)
    assert len(codes) == 345
    assert fifth == 69
    with partners.client() as public:
        response = public.get("/api/gaps/burglary")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["basis"] == "city"
    assert body["groups"] == 5
    assert body["area_type"] == "lsoa"
    assert body["most_deprived_areas"] == 69
    assert body["rest_areas"] == 276
    assert "most deprived fifth" in body["description"]
    assert "345" in body["description"]
    assert "(69 areas)" in body["description"]
    assert "not by England's deciles" in body["description"]
    assert body["label"].endswith("(69 of 345)")
    assert "quarters" in body["pooled"]
    # 24 months pooled into 8 quarters; quarter q: months 3q..3q+2.
    assert next(p["period"] for p in body["periods"]) == "2022-01 to 2022-03"
    assert len(body["periods"]) == 8
    first = body["periods"][0]
    # Most deprived: (5 + 6 + 7) x 69 burglaries over 3 x 1,000 x 69 resident-months:
    # 6 per 1,000; Poisson se = sqrt(N) / D x 1,000.
    n, d = 18 * 69, 3 * POPULATION * 69
    se = math.sqrt(n) / d * 1000
    assert first["most_deprived"]["value"] == pytest.approx(6.0)
    assert first["most_deprived"]["lower"] == pytest.approx(6.0 - Z95 * se, abs=1e-5)
    assert first["most_deprived"]["upper"] == pytest.approx(6.0 + Z95 * se, abs=1e-5)
    assert first["rest"]["value"] == pytest.approx(5.0)
    assert first["absolute_gap"]["value"] == pytest.approx(1.0)
    assert first["relative_gap"]["value"] == pytest.approx(1.2)
    rel = first["relative_gap"]
    assert rel["lower"] < 1.2 < rel["upper"]
    last = body["periods"][-1]
    assert last["most_deprived"]["value"] == pytest.approx((26 + 27 + 28) / 3)
    sii = last["sii"]
    assert sii["value"] is not None
    assert sii["lower"] < sii["value"] < sii["upper"]
    assert sii["value"] < 0  # PHE's sign: the least deprived end is lower
    assert body["trend"]["verdict"] == "widening"
    assert body["trend"]["words"] == "widening"
    assert body["disadvantaged"] == "most_deprived"
    assert body["sentence"].startswith(
        "The gap in burglary between the most deprived fifth (city's own IMD ranking, "
        "69 of 345 LSOAs) and the rest "
    )
    assert "is widening; the most deprived areas are worse off" in body["sentence"]


def test_a_steady_gap_shows_no_significant_change(partners: Partners) -> None:
    _plant(partners, _city(partners))
    with partners.client() as public:
        body = public.get("/api/gaps/robbery").json()
    assert body["periods"][0]["absolute_gap"]["value"] == pytest.approx(4.0)
    assert body["trend"]["verdict"] == "no_significant_change"
    assert body["trend"]["words"] == "no significant change"
    assert "shows no significant change" in body["sentence"]


def test_tenths_are_the_city_s_most_deprived_35(partners: Partners) -> None:
    codes = _city(partners)
    _plant(partners, codes)
    with partners.client() as public:
        body = public.get("/api/gaps/burglary?groups=10").json()
        groups = public.get("/api/gaps?groups=10").json()
    assert body["groups"] == 10
    assert body["group"] == "tenth"
    assert body["most_deprived_areas"] == 35
    assert groups["codes"] == codes[:35]
    assert groups["label"].endswith("(35 of 345)")
    # The same cut as the analysis's statistics.
    assert (deprivation_groups(list(range(1, 346)), 10) == 0).sum() == 35
    # Rest: 34 of the planted fifth (18 a quarter) and 276 others (15), over 310 areas.
    rest = (34 * 18 + 276 * 15) / (310 * 3 * POPULATION) * 1000
    first = body["periods"][0]
    assert first["most_deprived"]["value"] == pytest.approx(6.0)
    assert first["rest"]["value"] == pytest.approx(rest, abs=1e-5)


def test_refusals_say_why(partners: Partners) -> None:
    _city(partners)
    with partners.client() as public:
        unknown = public.get("/api/gaps/no_such_indicator")
        rank = public.get("/api/gaps/imd_rank")
        ward = public.get("/api/gaps/imd_score?area_type=ward")
        bad_type = public.get("/api/gaps/population?area_type=nowhere")
        groups = public.get("/api/gaps/population?groups=4")
    assert unknown.status_code == 404
    assert rank.status_code == 400
    assert rank.json()["code"] == "gap_unavailable"
    assert "rank" in rank.json()["detail"]
    assert ward.status_code == 400
    assert "no deprivation ranking" in ward.json()["detail"]
    assert bad_type.status_code == 400
    assert groups.status_code == 400


def test_partners_only_gap_is_not_found_for_the_public_and_audited_for_partners(
    partners: Partners,
) -> None:
    codes = _city(partners)
    rows = [f"{c},2023/24,fsm_eligible,25,{5 + n % 7},{20 + n % 7}" for n, c in enumerate(codes)]
    with partners.client("schools") as schools:
        _upload(schools, rows, "area_code,period,indicator,value,numerator,denominator")
    with partners.client() as public:
        hidden = public.get("/api/gaps/fsm_eligible")
    assert hidden.status_code == 404
    with partners.client("council") as officer:
        seen = officer.get("/api/gaps/fsm_eligible")
    assert seen.status_code == 200, seen.text
    assert seen.headers["cache-control"].startswith("private")
    assert "Authorization" in seen.headers["vary"]
    body = seen.json()
    assert body["trend"]["verdict"] == "insufficient_data"
    assert body["measure"] == "rates from the groups' summed numerators and denominators"
    audited = partners.sql(
        "SELECT count(*) FROM audit_event WHERE action = 'read' AND indicator = 'fsm_eligible' "
        "AND period = 'gap'"
    )
    assert audited[0][0] == 1


def _attack(
    public: httpx.Client,
    known: dict[Any, float],
    hidden: set[Any],
    codes: list[str],
    published: dict[Any, float] | None = None,
) -> Knowledge:
    """What the public knows of fires: the published LSOA months, and every gap group's
    total (its pooled rate x the public populations) as a sum of its LSOA months (or,
    given ``published``, every group's total made of them: a gap published whatever
    is hidden)."""
    k = Knowledge(dict(known), set(hidden))
    for groups in (5, 10):
        members = public.get(f"/api/gaps?groups={groups}").json()["codes"]
        body = public.get(f"/api/gaps/accidental_dwelling_fires?groups={groups}").json()
        for block, period in zip(range(0, 24, 3), body["periods"], strict=True):
            months = MONTHS[block : block + 3]
            for name, areas in (
                ("most_deprived", members),
                ("rest", [c for c in codes if c not in members]),
            ):
                value = period[name]["value"]
                if published is not None:
                    total = sum(
                        published[("accidental_dwelling_fires", "value", a, m)]
                        for a in areas
                        for m in months
                    )
                    k.relations.append((float(total), _cells(areas, months)))
                    continue
                if value is None:
                    continue
                total = value * len(areas) * len(months) * POPULATION / 1000
                k.relations.append((float(round(total, 3)), _cells(areas, months)))
    return k


def _cells(areas: list[str], months: tuple[str, ...] | list[str]) -> tuple[Any, ...]:
    return tuple(("accidental_dwelling_fires", "value", a, m) for a in areas for m in months)


def test_the_gap_groups_give_no_suppressed_fire_count_away(partners: Partners) -> None:
    codes = _city(partners)
    # Fires (public, threshold 3): 10 a month everywhere, but 1 in the most deprived
    # area in the last month and 2 in one of the rest.
    truth = {("accidental_dwelling_fires", "value", c, m): 10.0 for c in codes for m in MONTHS}
    truth[("accidental_dwelling_fires", "value", codes[0], MONTHS[-1])] = 1.0
    truth[("accidental_dwelling_fires", "value", codes[200], MONTHS[-1])] = 2.0
    with partners.client("fire") as fire:
        _upload(fire, [f"{a},{m},{c},{int(v)}" for (c, _, a, m), v in truth.items()])
    with partners.client() as public:
        observed = public.get(
            "/api/observations?indicator=accidental_dwelling_fires&type=lsoa"
        ).json()
        known, hidden = {}, set()
        for o in observed["observations"]:
            key = ("accidental_dwelling_fires", "value", o["area_code"], o["period"])
            if o["suppressed"]:
                hidden.add(key)
            else:
                known[key] = float(o["value"])
        assert len(hidden) >= 4  # the two small ones and their complements
        # Cell by cell suppression, with the gap published in every quarter, would give
        # them away through the gap's groups ...
        small = {k for k, v in truth.items() if v < 3}
        seen = {k: v for k, v in truth.items() if k not in small}
        naive = _attack(public, seen, small, codes, published=truth)
        assert {k for k, v in recover(naive).items() if abs(truth[k] - v) < 0.5} == small
        # ... and the service's suppression gives none away: the quarter holding them is
        # withheld from the public's gap.
        k = _attack(public, known, hidden, codes)
        gap = public.get("/api/gaps/accidental_dwelling_fires").json()
        assert gap["periods"][-1]["most_deprived"]["value"] is None
        assert gap["periods"][0]["most_deprived"]["value"] is not None
    found = {key: v for key, v in recover(k).items() if abs(truth[key] - v) < 0.5}
    assert not found, sorted(found.items())[:10]
