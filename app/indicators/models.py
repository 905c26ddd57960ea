"""The indicator table, built from the catalogue's columns (:class:`.indicator.Indicator`):
text for text and enumerations, integers, doubles, arrays of text for lists; the agency is a
reference to ``agency``."""

from __future__ import annotations

import types
from dataclasses import fields
from typing import Any, Union, get_args, get_origin, get_type_hints

from sqlalchemy import BigInteger, Column, DateTime, Double, ForeignKey, Integer, Table, Text, func
from sqlalchemy.dialects.postgresql import ARRAY

from app.indicators.indicator import Indicator
from app.models import Base

_SERVER_DEFAULTS = {"multiplier": "1", "event_categories": "{}", "synonyms": "{}"}


def _column(name: str, hint: Any) -> Column[Any]:
    nullable = get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint)
    kind = next(a for a in get_args(hint) if a is not type(None)) if nullable else hint
    if name == "agency":
        return Column("agency_id", BigInteger, ForeignKey("agency.id"), nullable=False)
    if kind is int:
        sql_type: Any = Integer
    elif kind is float:
        sql_type = Double
    elif get_origin(kind) is tuple:
        sql_type = ARRAY(Text)
    else:
        sql_type = Text  # text and enumerations, stored as their values
    return Column(
        name,
        sql_type,
        primary_key=name == "code",
        nullable=nullable,
        server_default=_SERVER_DEFAULTS.get(name),
    )


def _columns() -> list[Column[Any]]:
    hints = get_type_hints(Indicator)
    return [_column(f.name, hints[f.name]) for f in fields(Indicator)]


indicator_table = Table(
    "indicator",
    Base.metadata,
    *_columns(),
    Column("updated_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
)
