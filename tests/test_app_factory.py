"""create_app builds an app from the settings it is given: it never reads the environment
for them and never starts a database server (the command line does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import DatabaseUnavailableError
from app.main import create_app
from app.settings import Settings


def test_an_app_without_a_database_url_is_refused_and_starts_no_server(tmp_path: Path) -> None:
    data_dir = tmp_path / "nis"
    with pytest.raises(DatabaseUnavailableError, match="database_url"):
        create_app(Settings(database_url=None, data_dir=data_dir))
    assert not data_dir.exists()


def test_building_an_app_connects_to_nothing() -> None:
    # Port 1 on loopback has no server: building must not try it (the lifespan does).
    app = create_app(Settings(database_url="postgresql://nobody@127.0.0.1:1/none"))
    assert app.state.settings.database_url.endswith(":1/none")
    assert not hasattr(app.state, "engine")
