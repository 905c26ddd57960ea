"""The demo's Sheffield wards and local area committees (shipped with the project, so the
demo needs no ``../shared``): loaded on a copy of the demo city, every indicator that can be
carried has values there with their fit, and the public attacker, knowing every share
they were carried by, works no suppressed value out through them."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from app.access.service import create_key
from app.access.viewer import PUBLIC
from app.areas.importer import ImportRequest, import_areas
from app.db import unit_of_work
from app.demo import WARDS_FILE, load_demo_wards
from app.maps.service import MapRequest, map_values
from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases, clone_database
from tests.disclosure_attack import (
    Knowledge,
    OverlayLink,
    gather,
    leaks,
    protected,
    recover,
    truth,
)


def _with_wards(url: str, said: list[str]) -> None:
    def run_import(request: ImportRequest) -> object:
        with unit_of_work(url) as session:
            return import_areas(session, request)

    load_demo_wards(url, "Sheffield", reload=False, run_import=run_import, say=said.append)  # type: ignore[arg-type]


def test_the_demo_shows_wards_and_committees_with_values_and_their_fit(
    demo_template: str, databases: ThrowawayDatabases
) -> None:
    url = clone_database(demo_template, "nis_test_demo_wards", databases)
    said: list[str] = []
    _with_wards(url, said)
    assert WARDS_FILE.stat().st_size < 100_000  # the one shipped boundary file
    with unit_of_work(url) as session:
        counts = dict(
            session.execute(
                text("SELECT type_code, count(*) FROM area WHERE type_code IN ('ward', 'lac') "
                     "GROUP BY type_code")
            ).all()
        )  # fmt: skip
        assert counts == {"ward": 28, "lac": 7}
        names = set(
            session.execute(text("SELECT name FROM area WHERE type_code = 'lac'")).scalars()
        )
        assert "Central" in names
        for type_code in ("ward", "lac"):
            shown = map_values(
                session, PUBLIC, MapRequest("criminal_damage_arson", type_code, None)
            )
            assert len(shown["areas"]) == counts[type_code]
            assert all(a["fit"] is not None for a in shown["areas"].values())
            assert shown["legend"]["estimated"].startswith("estimated from LSOAs, ")
    _with_wards(url, said)
    assert any("already loaded" in s for s in said)


def test_the_public_works_out_no_suppressed_value_through_wards_or_committees(
    demo_template: str, databases: ThrowawayDatabases
) -> None:
    """Wards and committees are carried from LSOAs they do not nest in: each carried
    count is its LSOAs' shared out, equations the attacker adds to the hierarchy's (it is
    handed every share: the worst case). Cell-by-cell suppression of the LSOAs would give
    values away through the carried ones alone; what is published gives none. The demo's
    custom patch is the partnership's, and the public never sees it."""
    url = clone_database(demo_template, "nis_test_ward_attack", databases)
    _with_wards(url, [])
    with unit_of_work(url) as session:
        admin_key = create_key(session, None, admin=True, label="ward attack truth")
        links = [
            OverlayLink(str(r.target), str(r.source), float(r.share), bool(r.best))
            for r in session.execute(
                text(
                    "SELECT t.code AS target, s.code AS source, l.share, l.best "
                    "FROM area_overlay l JOIN area t ON t.id = l.target_id "
                    "JOIN area s ON s.id = l.source_id"
                )
            )
        ]
        patches = set(session.execute(text("SELECT type_code FROM custom_area")).scalars())
    assert patches, "the demo has its custom patch"
    settings = Settings(database_url=url, analysis_after_upload=False)
    with LiveServer(settings) as server:
        with httpx.Client(base_url=server.url, timeout=120) as public:
            types = {t["code"] for t in public.get("/api/area-types").json()}
            assert {"ward", "lac"} <= types
            assert not types & patches
            chosen = protected(public.get("/api/indicators").json())
            knowledge = gather(public, chosen, overlay=links)
        admin = {"Authorization": f"Bearer {admin_key}"}
        with httpx.Client(base_url=server.url, timeout=120, headers=admin) as partner:
            values = truth(partner, chosen)
    wards = {link.target for link in links}
    carried = [(t, ms) for t, ms in knowledge.weighted if t[2] in wards]
    assert carried, "the attacker holds the carried values' equations"
    assert any(m in knowledge.hidden for _, ms in carried for m, _ in ms)
    # Cell by cell: every value but the small LSOA counts, and only the carried values'
    # equations (not the hierarchy's), give some of those counts back ...
    thresholds = {i["code"]: i["disclosure_threshold"] for i in chosen}
    naive = Knowledge(
        dict(values), set(), aliases=knowledge.aliases, weighted=list(knowledge.weighted)
    )
    for key, value in values.items():
        code, quantity, area, _ = key
        small = thresholds.get(code)
        if small and quantity == "value" and area not in wards and value < small:
            naive.hidden.add(key)
            naive.known.pop(key)
    assert leaks(recover(naive), values), "the attack through wards is strong enough to bite"
    # ... and what the service publishes gives none.
    found = leaks(recover(knowledge), values)
    assert not found, sorted(found.items())[:20]
