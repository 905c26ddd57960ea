"""The demo's Sheffield wards and local area committees (shipped with the project, so the
demo needs no ``../shared``): loaded on a copy of the demo city, every indicator that can be
carried has values there with their fit."""

from __future__ import annotations

from sqlalchemy import text

from app.access.viewer import PUBLIC
from app.areas.importer import ImportRequest, import_areas
from app.db import unit_of_work
from app.demo import WARDS_FILE, load_demo_wards
from app.maps.service import MapRequest, map_values
from tests.conftest import ThrowawayDatabases, clone_database


def test_the_demo_shows_wards_and_committees_with_values_and_their_fit(
    demo_template: str, databases: ThrowawayDatabases
) -> None:
    url = clone_database(demo_template, "nis_test_demo_wards", databases)
    said: list[str] = []

    def run_import(request: ImportRequest) -> object:
        with unit_of_work(url) as session:
            return import_areas(session, request)

    load_demo_wards(url, "Sheffield", reload=False, run_import=run_import, say=said.append)  # type: ignore[arg-type]
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
    load_demo_wards(url, "Sheffield", reload=False, run_import=run_import, say=said.append)  # type: ignore[arg-type]
    assert any("already loaded" in s for s in said)
