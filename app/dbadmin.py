"""Creating and dropping whole databases on a server (tests, benchmarks)."""

from __future__ import annotations

import re
import uuid

import psycopg
from sqlalchemy.engine import make_url

from app.db import plain_url


def _with_database(server_url: str, database: str) -> str:
    return (
        make_url(plain_url(server_url)).set(database=database).render_as_string(hide_password=False)
    )


def create_database(server_url: str, prefix: str, template: str | None = None) -> str:
    """Create a database named ``prefix_<random>``, empty or a copy of ``template`` (the
    URL of a database nobody is connected to); returns its URL."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", prefix):
        raise ValueError(f"unsafe database prefix {prefix!r}")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    copy = ""
    if template is not None:
        source = make_url(plain_url(template)).database or ""
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", source):
            raise ValueError(f"unsafe template database {source!r}")
        copy = f' TEMPLATE "{source}"'
    with psycopg.connect(_with_database(server_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}'.encode())
    return _with_database(server_url, name)


def drop_database(url: str) -> None:
    """Drop the database ``url`` names, disconnecting anyone still on it."""
    name = make_url(plain_url(url)).database
    if not name or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"refusing to drop {name!r}")
    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())
