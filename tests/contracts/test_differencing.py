"""The public, playing the attacker, works out no suppressed value.

Over the demo city (with partners' uploads), the attacker of :mod:`tests.disclosure_attack`
reads every public route for every indicator with a disclosure threshold (or computed
from one) and tries hierarchy and sibling differencing, window totals and period sums
together. The same attack on what cell-by-cell suppression would publish recovers
values (so the attack is strong enough to fail), and on what the service publishes
recovers none.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.contracts.conftest import City
from tests.disclosure_attack import Key, Knowledge, gather, leaks, protected, recover, truth

# Routes that showed the attacker values or hidden ones (alerts: any alert at all).
ROUTES = {"observations", "csv", "maps", "ogc", "downloads", "downloads.geojson",
          "downloads.all", "tiles", "export.html", "alerts", "profiles"}  # fmt: skip


@pytest.fixture(scope="module")
def attack(city: City) -> tuple[Knowledge, dict[Key, float], list[dict[str, Any]]]:
    with city.client("public") as client:
        chosen = protected(client.get("/api/indicators").json())
        knowledge = gather(client, chosen)
    with city.client("admin") as client:
        values = truth(client, chosen)
    return knowledge, values, chosen


def test_the_attacker_reads_every_public_route_and_finds_suppressed_values(
    attack: tuple[Knowledge, dict[Key, float], list[dict[str, Any]]],
) -> None:
    knowledge, _, chosen = attack
    assert knowledge.routes >= ROUTES
    assert {"persistent_absence", "accidental_dwelling_fires", "attainment8"} <= {
        i["code"] for i in chosen
    }
    assert len(knowledge.hidden) > 100
    assert len(knowledge.relations) > 1000


def test_the_attack_breaks_cell_by_cell_suppression(
    attack: tuple[Knowledge, dict[Key, float], list[dict[str, Any]]],
) -> None:
    """What the public saw before complementary suppression: every value but the small
    ones, the MSOAs and the city summed from all of them."""
    knowledge, values, chosen = attack
    threshold = {i["code"]: i["disclosure_threshold"] or 0 for i in chosen}
    naive = Knowledge(dict(values), set(), knowledge.relations, knowledge.aliases)
    for key, value in values.items():
        code, quantity, _, _ = key
        discloses = {"count": "value", "mean": "denominator"}.get(
            next(i["value_type"] for i in chosen if i["code"] == code), "numerator"
        )
        if quantity == discloses and value < threshold[code]:
            naive.hidden.add(key)
    for key in list(naive.hidden):
        naive.known.pop(key)
    found = leaks(recover(naive), values)
    assert len(found) >= 30, len(found)
    # The case the defect report gave: persistent absence in 2021/22, E01008128 = 3/71.
    assert found[("persistent_absence", "numerator", "E01008128", "2021/22")] == pytest.approx(3)


def test_the_public_works_out_no_suppressed_value(
    attack: tuple[Knowledge, dict[Key, float], list[dict[str, Any]]],
) -> None:
    knowledge, values, _ = attack
    found = leaks(recover(knowledge), values)
    assert not found, sorted(found.items())[:20]


def test_profile_trends_are_made_of_the_points_the_public_sees(
    city: City, attack: tuple[Knowledge, dict[Key, float], list[dict[str, Any]]]
) -> None:
    knowledge, _, _ = attack
    code = "accidental_dwelling_fires"
    areas = sorted({a for c, _, a, _ in knowledge.hidden if c == code and a.startswith("E01")})
    checked = 0
    for area in areas[:5]:
        entries = {}
        for who in ("public", "admin"):
            with city.client(who) as client:
                body = client.get(f"/api/areas/{area}/profile").json()
            entries[who] = next(e for e in body["indicators"] if e["indicator"]["code"] == code)
        seen = [p["value"] for p in entries["public"]["series"]]
        if None not in seen:
            continue  # its hidden points are older than the trend's window
        checked += 1
        visible = sum(v is not None for v in seen)
        assert entries["public"]["trend"]["points"] == visible  # it used every point
        assert entries["admin"]["trend"]["points"] == len(entries["admin"]["series"])
    assert checked


def test_public_alerts_show_figures_only_when_no_value_behind_them_is_hidden(
    city: City, attack: tuple[Knowledge, dict[Key, float], list[dict[str, Any]]]
) -> None:
    knowledge, _, chosen = attack
    protected_codes = {i["code"] for i in chosen}
    with city.client("public") as client:
        public = {a["id"]: a for a in client.get("/api/alerts?limit=1000").json()["alerts"]}
    with city.client("admin") as client:
        full = {a["id"]: a for a in client.get("/api/alerts?limit=1000").json()["alerts"]}
    for alert_id, alert in public.items():
        if "withheld" in alert["stats"]:
            assert alert["q"] is None
            assert "q =" not in alert["sentence"]
            assert "%" not in alert["sentence"]
            assert full[alert_id]["stats"] != alert["stats"]
            continue
        assert alert["stats"] == full[alert_id]["stats"]
        for code in set(alert["indicators"]) & protected_codes:
            stats = (
                alert["stats"]["indicators"][code]
                if "indicators" in alert["stats"]
                else alert["stats"]
            )
            for period in (stats.get("window") or {}).get("recent", []):
                key = (code, "value" if code == "accidental_dwelling_fires" else "numerator",
                       alert["area_code"], period)  # fmt: skip
                assert key not in knowledge.hidden, (alert["sentence"], key)
