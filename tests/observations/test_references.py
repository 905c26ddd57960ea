"""Observations keep foreign-key guarantees for their area and indicator (checked per
statement by triggers, migration 0005), including against concurrent deletion."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from psycopg import errors

from tests.conftest import ThrowawayDatabases

SEED = """
INSERT INTO area_type (code, name) VALUES ('lsoa', 'LSOA');
INSERT INTO area (id, type_code, code, name, vintage, geom, area_km2)
SELECT i, 'lsoa', 'E0100000' || i, 'Area ' || i, 2021,
       ST_Multi(ST_MakeEnvelope(i, 0, i + 1, 1, 4326)), 1
FROM generate_series(1, 3) i;
INSERT INTO agency (id, name) VALUES (1, 'police');
INSERT INTO indicator (code, title, definition, agency_id, topic, value_type, unit, polarity,
                       period_type, source, licence, area_types, visibility)
SELECT c, c, c, 1, 'crime and safety', 'count', 'crimes', 'higher_is_worse', 'month', 's',
       'OGL', '{lsoa}', 'public'
FROM unnest(ARRAY['burglary', 'robbery']) c;
INSERT INTO batch (id, kind, actor) VALUES (1, 'observations', 'test');
"""

INSERT = """
INSERT INTO observation (indicator_code, area_id, period, period_start, period_end, value,
                         batch_id)
SELECT %s, a, '2024-01', '2024-01-01', '2024-02-01', 1, 1 FROM unnest(%s::bigint[]) a
"""


@pytest.fixture
def url(databases: ThrowawayDatabases) -> str:
    url = databases.create("refs")
    with psycopg.connect(url) as conn:
        conn.execute(SEED)
    return url


def count(url: str, where: str = "true") -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(f"SELECT count(*) FROM observation WHERE {where}").fetchone()
        assert row is not None
        return int(row[0])


def test_a_missing_area_fails_the_whole_statement(url: str) -> None:
    with (
        psycopg.connect(url) as conn,
        pytest.raises(errors.ForeignKeyViolation, match="area 99 which does not exist"),
    ):
        conn.execute(INSERT, ("burglary", [1, 2, 99]))
    assert count(url) == 0


def test_a_missing_indicator_fails_the_whole_statement(url: str) -> None:
    with (
        psycopg.connect(url) as conn,
        pytest.raises(errors.ForeignKeyViolation, match="indicator arson which does not"),
    ):
        conn.execute(INSERT, ("arson", [1, 2]))
    assert count(url) == 0


def test_an_update_to_a_missing_area_fails(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(INSERT, ("burglary", [1]))
        conn.commit()
        with pytest.raises(errors.ForeignKeyViolation):
            conn.execute("UPDATE observation SET area_id = 42")
    assert count(url, "area_id = 1") == 1


def test_deleting_areas_and_indicators_deletes_their_observations(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(INSERT, ("burglary", [1, 2, 3]))
        conn.execute(INSERT, ("robbery", [1, 2, 3]))
        # A revision of area 1, so the self-reference is deleted along with it.
        conn.execute(
            "UPDATE observation SET superseded_at = now(), superseded_by = 1 "
            "WHERE area_id = 1 AND indicator_code = 'burglary'"
        )
        conn.execute(
            "INSERT INTO observation (indicator_code, area_id, period, period_start, "
            "period_end, value, batch_id, replaces_id) SELECT indicator_code, area_id, "
            "period, period_start, period_end, 2, 1, id FROM observation "
            "WHERE area_id = 1 AND indicator_code = 'burglary'"
        )
        conn.execute("DELETE FROM area WHERE id = 1")
        conn.commit()
        assert count(url) == 4
        assert count(url, "area_id = 1") == 0
        conn.execute("DELETE FROM indicator WHERE code = 'robbery'")
        conn.commit()
    assert count(url) == 2
    assert count(url, "indicator_code = 'robbery'") == 0


def test_a_writer_waits_for_a_deletion_in_flight_and_then_fails(url: str) -> None:
    deleter = psycopg.connect(url)
    deleter.execute("DELETE FROM area WHERE id = 2")  # not committed yet
    outcome: list[BaseException | None] = []

    def write() -> None:
        try:
            with psycopg.connect(url) as conn:
                conn.execute(INSERT, ("burglary", [2]))
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.5)
    assert writer.is_alive(), "the writer should wait for the deletion to end"
    deleter.commit()
    deleter.close()
    writer.join(timeout=10)
    assert len(outcome) == 1
    assert isinstance(outcome[0], errors.ForeignKeyViolation)
    assert count(url) == 0


def test_a_deletion_waits_for_writers_in_flight_and_takes_their_rows(url: str) -> None:
    writer = psycopg.connect(url)
    writer.execute(INSERT, ("burglary", [3]))  # checked and written, not committed yet
    done = threading.Event()

    def delete() -> None:
        with psycopg.connect(url) as conn:
            conn.execute("DELETE FROM area WHERE id = 3")
        done.set()

    deleter = threading.Thread(target=delete)
    deleter.start()
    time.sleep(0.5)
    assert not done.is_set(), "the deletion should wait for the writer to end"
    writer.commit()
    writer.close()
    deleter.join(timeout=10)
    assert done.is_set()
    assert count(url) == 0
