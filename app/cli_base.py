"""What every ``nis`` command shares: telling the user, and a migrated database to work
on (the private cluster started when no ``NIS_DATABASE_URL`` is set)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.cluster import resolve_database_url
from app.cluster_access import password_file
from app.db import unit_of_work
from app.settings import Settings, load_settings


def examples(*commands: str) -> str:
    """A command's help epilog: "Examples:" and each command on a line of its own
    (``tests/test_cli.py`` parses every one against the command it names)."""
    return "Examples:\n\n" + "\n\n".join(f"  {c}" for c in commands)


def say(message: str) -> None:
    """Tell the user something (standard error, so standard output stays for data)."""
    typer.echo(message, err=True)


def connected_settings() -> Settings:
    """Settings with a database URL, starting the private cluster when none is set."""
    settings = load_settings()
    url = resolve_database_url(settings, say=say)
    if not settings.database_url:
        shown = make_url(url).render_as_string(hide_password=True)
        say(
            f"database: private cluster at {shown} (data in {settings.data_dir.resolve()}, "
            f"password in {password_file(settings.data_dir)})"
        )
    return settings.model_copy(update={"database_url": url})


def upgrade_database(settings: Settings) -> None:
    from app.migrate import upgrade

    assert settings.database_url is not None
    upgrade(settings.database_url)


@contextmanager
def connected_session() -> Iterator[Session]:
    """A migrated database and one unit of work on it."""
    settings = connected_settings()
    upgrade_database(settings)
    assert settings.database_url is not None
    with unit_of_work(settings.database_url) as session:
        yield session
