"""The indicator catalogue: what each indicator means, who owns it, who may see it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.models import Base


class Indicator(Base):
    __tablename__ = "indicator"

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    definition: Mapped[str] = mapped_column(Text)
    agency_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("agency.id"))
    topic: Mapped[str] = mapped_column(Text)
    value_type: Mapped[str] = mapped_column(Text)  # count | rate | percentage | mean | score
    multiplier: Mapped[int] = mapped_column(Integer, server_default="1")
    unit: Mapped[str] = mapped_column(Text)
    polarity: Mapped[str] = mapped_column(Text)
    period_type: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(Text)
    area_types: Mapped[list[str]] = mapped_column(ARRAY(Text))
    disclosure_threshold: Mapped[int | None] = mapped_column(Integer)
    visibility: Mapped[str] = mapped_column(Text)  # public | partners
    numerator: Mapped[str | None] = mapped_column(Text)
    denominator: Mapped[str | None] = mapped_column(Text)
    event_categories: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
