"""The migrations and the models describe the same schema."""

from __future__ import annotations

from alembic import command

from app.migrate import alembic_config
from tests.conftest import ThrowawayDatabases


def test_models_match_the_migrated_schema(db_url: str) -> None:
    # Raises if autogenerate would find any difference between models and database.
    command.check(alembic_config(db_url))


def test_migrations_downgrade_and_upgrade_again(databases: ThrowawayDatabases) -> None:
    url = databases.create("updown")
    command.downgrade(alembic_config(url), "base")
    command.upgrade(alembic_config(url), "head")
    command.check(alembic_config(url))


# Tables whose writes are not data a read is made of: accounts, sessions, keys (their
# last use), the throttle, the analysis queue, the audit and the change log itself.
NOT_DATA = {
    "alembic_version", "api_key", "app_user", "user_session", "pending_sign_in",
    "auth_throttle", "analysis_request", "audit_event", "data_change", "spatial_ref_sys",
    # What the performance framework computed and sent (migration 0018).
    "measure_assessment", "innovation_flag", "board_report", "notification",
}  # fmt: skip


def test_every_data_table_tells_the_read_cache_of_changes(db_url: str) -> None:
    from sqlalchemy import text

    from app.db import make_engine
    from app.tables import metadata

    engine = make_engine(db_url)
    with engine.connect() as conn:
        triggered = set(
            conn.execute(
                text(
                    "SELECT event_object_table FROM information_schema.triggers "
                    "WHERE action_statement LIKE '%note_data_change%'"
                )
            ).scalars()
        )
    engine.dispose()
    data_tables = set(metadata.tables) - NOT_DATA
    assert data_tables, "no tables seen"
    assert triggered == data_tables
