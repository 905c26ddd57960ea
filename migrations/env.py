"""Alembic environment: the URL comes from the caller (``nis db upgrade``, the tests) via
``config.attributes['connection']`` or ``sqlalchemy.url``; otherwise from NIS settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from app.cluster import resolve_database_url
from app.db import make_engine
from app.settings import load_settings
from app.tables import metadata

config = context.config
target_metadata = metadata


def _ignore_postgis_tables(obj: object, name: str | None, type_: str, *_: object) -> bool:
    # PostGIS owns spatial_ref_sys; autogenerate must never try to drop it.
    return not (type_ == "table" and name == "spatial_ref_sys")


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_ignore_postgis_tables,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or resolve_database_url(load_settings())
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()
