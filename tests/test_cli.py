"""The ``nis`` command line, run as a user runs it: a subprocess with NIS_DATABASE_URL."""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import pytest
from shapely.geometry import box
from sqlalchemy import create_engine, text

from app.db import sqlalchemy_url
from app.demo_indicators import DemoArea, demo_stories
from app.settings import Settings
from tests.conftest import LiveServer, ThrowawayDatabases

NIS = str(Path(sys.executable).with_name("nis"))
WARDS = ["--layer", "sheffield_wards2020_bgc"]


@pytest.fixture
def cli_db(databases: ThrowawayDatabases) -> str:
    return databases.create("cli")


def nis(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NIS_DATABASE_URL": db_url}
    return subprocess.run(
        [NIS, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_import_areas_says_what_it_used_and_did(cli_db: str, shared_data: Path) -> None:
    gpkg = str(shared_data / "sheffield_boundaries/sheffield_boundaries.gpkg")
    first = nis(cli_db, "import-areas", gpkg, "--type", "ward", *WARDS)
    assert first.returncode == 0, first.stderr
    assert "Code field: WD20CD" in first.stderr
    assert "vintage 2020" in first.stderr
    assert "imported 28 ward areas (vintage 2020): 28 new, 0 updated" in first.stderr
    again = nis(cli_db, "import-areas", gpkg, "--type", "ward", *WARDS)
    assert "0 new, 28 updated" in again.stderr


def test_import_areas_refuses_a_bng_geojson_without_crs_with_a_hint(
    cli_db: str, shared_data: Path, tmp_path: Path
) -> None:
    gpkg = shared_data / "sheffield_boundaries/sheffield_boundaries.gpkg"
    wards = gpd.read_file(gpkg, layer="sheffield_wards2020_bgc").to_crs("EPSG:27700")
    document = json.loads(wards.to_json())
    document.pop("crs", None)  # as many exports write it: RFC 7946 has no crs member
    path = tmp_path / "wards.geojson"
    path.write_text(json.dumps(document))
    refused = nis(cli_db, "import-areas", str(path), "--type", "ward")
    assert refused.returncode != 0
    assert "--crs EPSG:27700" in refused.stderr
    assert "Traceback" not in refused.stderr
    done = nis(cli_db, "import-areas", str(path), "--type", "ward", "--crs", "EPSG:27700")
    assert done.returncode == 0, done.stderr


def test_import_areas_reports_straddling_children(cli_db: str, shared_data: Path) -> None:
    gpkg = str(shared_data / "sheffield_boundaries/sheffield_boundaries.gpkg")
    assert nis(cli_db, "import-areas", gpkg, "--type", "ward", *WARDS).returncode == 0
    result = nis(
        cli_db,
        "import-areas",
        gpkg,
        "--type",
        "lsoa",
        "--layer",
        "sheffield_lsoa2011_bgc",
        "--parent-type",
        "ward",
    )
    assert result.returncode == 0, result.stderr
    assert "parents (spatial): 345 assigned to ward 2020" in result.stderr
    assert "straddles" in result.stderr


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_a_rejected_file_is_a_clear_error_not_a_traceback(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "metres.shp"
    gpd.GeoDataFrame(
        {"code": ["X1"], "name": ["Metres"]}, geometry=[box(430000, 387000, 431000, 388000)]
    ).to_file(path)
    result = nis(cli_db, "import-areas", str(path), "--type", "ward", "--vintage", "2020")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert "EPSG:27700" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_url_prints_only_the_url(cli_db: str) -> None:
    result = nis(cli_db, "db", "url")
    assert result.returncode == 0
    assert result.stdout.strip() == cli_db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(cli_db: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = _free_port()
    env = {**os.environ, "NIS_DATABASE_URL": cli_db}
    proc = subprocess.Popen(
        [NIS, "serve", "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/api/area-types", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    yield base, proc
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # a test run leaves no server behind
        proc.kill()
        proc.wait()


def test_serve_listens_where_asked_and_prints_the_url(
    served: tuple[str, subprocess.Popen[str]],
) -> None:
    base, proc = served
    response = httpx.get(base + "/api/area-types")
    assert response.status_code == 200
    assert response.json() == []
    proc.terminate()
    _, stderr = proc.communicate(timeout=10)
    assert f"serving NIS at {base}/" in stderr


def test_serve_starts_an_analysis_worker_and_stops_it(
    served: tuple[str, subprocess.Popen[str]],
) -> None:
    _, proc = served
    proc.terminate()
    _, stderr = proc.communicate(timeout=90)
    started = re.search(r"analysis worker started \(pid (\d+)\)", stderr)
    assert started, stderr
    with pytest.raises(ProcessLookupError):
        os.kill(int(started.group(1)), 0)  # stopped with the server, nothing left running


def test_worker_help_explains_and_gives_examples() -> None:
    done = subprocess.run([NIS, "worker", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "Examples" in done.stdout
    assert "nis worker --once" in done.stdout


@pytest.fixture(scope="module")
def demo(databases: ThrowawayDatabases) -> tuple[str, subprocess.CompletedProcess[str]]:
    """A database where ``nis demo`` has run once, and what it printed."""
    url = databases.create("demo")
    return url, nis(url, "demo", "--no-serve", "--no-wards")


def test_demo_loads_a_labelled_city_once(
    demo: tuple[str, subprocess.CompletedProcess[str]],
) -> None:
    cli_db, first = demo
    assert first.returncode == 0, first.stderr
    assert "Contains National Statistics data" in first.stderr
    assert "analysis run" in first.stderr
    engine = create_engine(sqlalchemy_url(cli_db))
    with engine.connect() as conn:
        # The demo's custom area (demo.officer's patch) is an area type of its own.
        city = "type_code NOT IN (SELECT type_code FROM custom_area)"
        counts = dict(
            conn.execute(
                text(f"SELECT type_code, count(*) FROM area WHERE {city} GROUP BY type_code")
            ).all()
        )
        sources = set(
            conn.execute(text(f"SELECT DISTINCT source FROM area WHERE {city}")).scalars()
        )
        orphans = conn.execute(
            text(
                f"SELECT count(*) FROM area WHERE type_code <> 'city' AND parent_id IS NULL "
                f"AND {city}"
            )
        ).scalar_one()
        patches = conn.execute(
            text(
                "SELECT c.name, c.owner, c.sharing, count(l.source_id) AS lsoas "
                "FROM custom_area c JOIN area_overlay l ON l.target_id = c.area_id "
                "JOIN area s ON s.id = l.source_id AND s.type_code = 'lsoa' "
                "GROUP BY c.name, c.owner, c.sharing"
            )
        ).all()
    engine.dispose()
    assert counts == {"city": 1, "msoa": 70, "lsoa": 345}
    assert [tuple(p) for p in patches] == [("Page Hall patch", "demo.officer", "partnership", 6)]
    assert "custom area 'Page Hall patch'" in first.stderr
    assert all(s.startswith("DEMO") for s in sources)
    assert orphans == 0
    second = nis(cli_db, "demo", "--no-serve", "--no-wards")
    assert "already loaded" in second.stderr
    assert "analysis run" not in second.stderr  # nothing new to analyse


def _correlated_alerts_and_areas(cli_db: str) -> tuple[list[Any], list[DemoArea]]:
    """The newest finished run's correlated alerts (area code, agencies, indicators,
    sentence, stats) and the demo's LSOAs."""
    engine = create_engine(sqlalchemy_url(cli_db))
    with engine.connect() as conn:
        correlated = conn.execute(
            text(
                "SELECT a.code, al.agencies, al.indicators, al.sentence, al.stats FROM alert al "
                "JOIN area a ON a.id = al.area_id WHERE al.kind = 'correlated' AND al.run_id = "
                "(SELECT max(id) FROM analysis_run WHERE status = 'done')"
            )
        ).all()
        areas = [
            DemoArea(r.code, r.name, r.area_km2)
            for r in conn.execute(
                text("SELECT code, name, area_km2 FROM area WHERE type_code = 'lsoa' ORDER BY code")
            )
        ]
    engine.dispose()
    return list(correlated), areas


def _alerts(cli_db: str) -> list[Any]:
    """The newest finished run's alerts at LSOAs: kind, area code, indicators, agencies."""
    engine = create_engine(sqlalchemy_url(cli_db))
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT al.kind, a.code, al.indicators, al.agencies, al.sentence FROM alert al "
                "JOIN area a ON a.id = al.area_id WHERE al.area_type = 'lsoa' AND al.run_id = "
                "(SELECT max(id) FROM analysis_run WHERE status = 'done')"
            )
        ).all()
    engine.dispose()
    return list(rows)


def test_every_planted_story_of_the_demo_gives_its_alert_in_its_area(
    demo: tuple[str, subprocess.CompletedProcess[str]],
) -> None:
    # Each story the demo prints is found where it was planted: the three of criminal
    # damage with persistent absence as correlated alerts of police and schools, the
    # burglary and the vehicle crime as deteriorations, the steady rise of fires with
    # anti-social behaviour as a correlated alert (its wording: the test below).
    _, areas = _correlated_alerts_and_areas(demo[0])
    alerts = _alerts(demo[0])
    stories = demo_stories(areas)
    assert len(stories) == 6
    for story in stories:
        printed = f"planted in {story.area_code}: {story.description}"
        assert printed in demo[1].stderr
        here = [a for a in alerts if a.code == story.area_code]
        if len(story.indicators) == 1:
            found = [a for a in here if a.kind == "deterioration"]
            assert [a.indicators for a in found] == [list(story.indicators)], (story, here)
        else:
            found = [a for a in here if a.kind == "correlated"]
            assert len(found) == 1, (story, here)
            assert set(found[0].indicators) == set(story.indicators), (story, found)
            assert len(found[0].agencies) == 2, found
    paired = [s for s in stories if "persistent_absence" in s.indicators]
    assert len(paired) == 3
    for story in paired:
        (alert,) = [a for a in alerts if a.code == story.area_code and a.kind == "correlated"]
        assert set(alert.agencies) == {"police", "schools"}


def test_the_demo_shows_its_gradual_story_as_a_gradual_correlated_alert(
    demo: tuple[str, subprocess.CompletedProcess[str]],
) -> None:
    rows, areas = _correlated_alerts_and_areas(demo[0])
    story = next(s for s in demo_stories(areas) if "rising steadily" in s.description)
    mine = [r for r in rows if r.code == story.area_code]
    assert mine, [r.sentence for r in rows]
    alert = mine[0]
    assert set(alert.indicators) == set(story.indicators)
    assert alert.stats["gradual"] is True
    assert "a gradual deterioration since" in alert.sentence
    assert "rising steadily since" in alert.sentence
    # The other correlated stories are steps, and not worded as gradual.
    for other in rows:
        if other.code != story.area_code:
            assert "gradual" not in other.sentence


def _config(db_url: str) -> dict[str, Any]:
    """What ``/api/config`` tells the page, from a live server on the database."""
    with LiveServer(Settings(database_url=db_url, analysis_after_upload=False)) as server:
        response = httpx.get(f"{server.url}/api/config", timeout=60)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_the_page_learns_that_the_demo_shows_generated_data(
    demo: tuple[str, subprocess.CompletedProcess[str]], db_url: str
) -> None:
    shown = _config(demo[0])
    assert shown["demo"] is True
    assert shown["demo_notice"] == "Demonstration data: generated, not real figures."
    real = _config(db_url)  # a city without the demo's values
    assert (real["demo"], real["demo_notice"]) == (False, None)


def test_every_list_ends_each_line_and_says_how_many(cli_db: str) -> None:
    from typer.testing import CliRunner

    from app.cli import cli

    def listing(*args: str) -> Any:
        done = CliRunner().invoke(cli, list(args), env={"NIS_DATABASE_URL": cli_db})
        assert done.exit_code == 0, done.output
        return done

    for group, none in [("agency", "no agencies"), ("key", "no keys"), ("user", "no accounts")]:
        empty = listing(group, "list")
        assert empty.stdout == ""
        assert none in empty.stderr
    listing("agency", "create", "police")
    listing("key", "create", "--agency", "police")
    for group, count in [("agency", "1 agency"), ("key", "1 key")]:
        listed = listing(group, "list")
        assert listed.stdout.endswith("\n"), listed.stdout
        assert listed.stdout.count("\n") == 1, listed.stdout
        assert count in listed.stderr
    assert listing("agency", "list").stdout.startswith("police\t")
    assert "no indicators" in listing("indicators", "list").stderr


def _commands() -> list[list[str]]:
    """The path of every command and group of ``nis``, the root first."""
    import typer

    from app.cli import cli

    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        found.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(cli), [])
    return found


COMMAND_IN_EXAMPLE = re.compile(r"(?:^|\s|\$\()(nis(?:\s[^|&;<>)]*)?)")


def test_every_command_s_help_gives_examples_that_parse() -> None:
    import typer
    from typer.testing import CliRunner

    from app.cli import cli

    root = typer.main.get_command(cli)
    paths = _commands()
    assert len(paths) > 30  # groups and commands
    for path in paths:
        # Wide, so that no example wraps.
        shown = CliRunner().invoke(cli, [*path, "--help"], env={"COLUMNS": "300"})
        assert shown.exit_code == 0, (path, shown.output)
        assert "Examples:" in shown.output, f"nis {' '.join(path)} --help gives no example"
        lines = shown.output.split("Examples:", 1)[1].splitlines()
        commands = [m.group(1) for line in lines if (m := COMMAND_IN_EXAMPLE.search(line))]
        assert commands, path
        for example in commands:
            words = shlex.split(example)[1:]
            command, name = root, "nis"
            while words and words[0] in getattr(command, "commands", {}):
                name = words.pop(0)
                command = command.commands[name]
            if "--help" in words:
                continue
            try:  # parses: every option and argument named is the command's
                command.make_context(name, words)
            except Exception as exc:
                shown_as = getattr(exc, "format_message", None)
                message = shown_as() if callable(shown_as) else str(exc)
                assert "does not exist" in message, f"{example!r}: {message}"  # a file's
