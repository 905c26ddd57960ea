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
