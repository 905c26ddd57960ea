"""Area types form a hierarchy that is data (``parent_code``), not code: another city
loads another hierarchy. Areas carry their official code, vintage and boundary."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Double,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models import Base

MULTIPOLYGON = Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)
POINT = Geometry("POINT", srid=4326, spatial_index=False)


class AreaType(Base):
    __tablename__ = "area_type"

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(
        Text, ForeignKey("area_type.code", ondelete="SET NULL")
    )
    description: Mapped[str | None] = mapped_column(Text)


class Area(Base):
    __tablename__ = "area"
    __table_args__ = (
        UniqueConstraint("type_code", "code", "vintage"),
        Index("ix_area_geom", "geom", postgresql_using="gist"),
        Index("ix_area_code", "code"),
        Index("ix_area_parent_id", "parent_id"),
        # Finding an area by part of its name or code (ILIKE '%...%'): trigram indexes
        # (migration 0013), since a B-tree serves no infix.
        Index(
            "ix_area_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
        Index(
            "ix_area_code_trgm",
            "code",
            postgresql_using="gin",
            postgresql_ops={"code": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    type_code: Mapped[str] = mapped_column(Text, ForeignKey("area_type.code", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    vintage: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("area.id", ondelete="SET NULL")
    )
    geom: Mapped[object] = mapped_column(MULTIPOLYGON)
    area_km2: Mapped[float] = mapped_column(Float)
    population: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AreaDisplay(Base):
    """Coverage-simplified boundaries: neighbours keep sharing their borders exactly."""

    __tablename__ = "area_display"
    __table_args__ = (Index("ix_area_display_geom", "geom", postgresql_using="gist"),)

    area_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    geom: Mapped[object] = mapped_column(MULTIPOLYGON)


class AreaTile(Base):
    """A vector tile of an area type built ahead (see migration 0007: triggers delete a
    type's tiles whenever its areas or display geometries change)."""

    __tablename__ = "area_tile"

    type_code: Mapped[str] = mapped_column(
        Text, ForeignKey("area_type.code", ondelete="CASCADE"), primary_key=True
    )
    z: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    x: Mapped[int] = mapped_column(Integer, primary_key=True)
    y: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(Text)


class AreaOverlay(Base):
    """How an area of a type the finest areas do not nest in is made of them: the share
    of each overlapping source area's population inside it (see :mod:`app.areas.overlay`)."""

    __tablename__ = "area_overlay"
    __table_args__ = (
        CheckConstraint("share > 0 AND share <= 1", name="share"),
        Index("ix_area_overlay_source_id", "source_id"),
    )

    target_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True
    )
    share: Mapped[float] = mapped_column(Double)
    best: Mapped[bool] = mapped_column(Boolean)  # the source's best-fit target
    people: Mapped[float] = mapped_column(Double)  # the source's population (or km2)


class AreaFit(Base):
    """An overlaid area's degree of fit: the share of its population covered by whole
    source areas, and what the shares were worked out from."""

    __tablename__ = "area_fit"

    area_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True
    )
    source_type: Mapped[str] = mapped_column(Text, primary_key=True)
    source_vintage: Mapped[int] = mapped_column(Integer)
    fit: Mapped[float] = mapped_column(Double)
    basis: Mapped[str] = mapped_column(Text)


class VintageLink(Base):
    """One row of a boundary-change lookup between two vintages of one area type: how
    many of a FROM area's people live in a TO area (``nis import-lookup``).

    ``share`` is the fraction of the FROM area's population living in the TO area (what
    apportions a FROM area's counts); ``to_share`` the fraction of the TO area's
    population that lived in the FROM area (what weights scores and gives the fit).
    ``change`` is the ONS change class of the pair: U unchanged, S split, M merged,
    X redrawn.
    """

    __tablename__ = "vintage_link"
    __table_args__ = (
        CheckConstraint("share >= 0 AND share <= 1", name="share_in_range"),
        CheckConstraint("to_share >= 0 AND to_share <= 1", name="to_share_in_range"),
        CheckConstraint("change IN ('U', 'S', 'M', 'X')", name="change_class"),
        Index("ix_vintage_link_to_area_id", "to_area_id"),
    )

    from_area_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True
    )
    to_area_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True
    )
    change: Mapped[str] = mapped_column(Text)
    share: Mapped[float] = mapped_column(Double)
    to_share: Mapped[float] = mapped_column(Double)


class Postcode(Base):
    """A postcode of the ONS Postcode Directory (``nis import-postcodes``): the LSOAs
    the directory puts it in, and its point (None where the directory gives none)."""

    __tablename__ = "postcode"

    # As the ONSPD's pcds writes it: upper case, one space before the inward code.
    postcode: Mapped[str] = mapped_column(Text, primary_key=True)
    lsoa11: Mapped[str | None] = mapped_column(Text)
    lsoa21: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[object | None] = mapped_column(POINT, nullable=True)
    source: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CustomArea(Base):
    """An officer's own patch (:mod:`app.areas.custom`): an area of an area type of its
    own, with who made it and who may see it (``app.access.policy.may_see_custom_area``)."""

    __tablename__ = "custom_area"
    __table_args__ = (
        CheckConstraint("sharing IN ('private', 'partnership')", name="sharing"),
        CheckConstraint("made_from IN ('areas', 'polygon')", name="made_from"),
        Index("ix_custom_area_owner_id", "owner_id"),
    )

    area_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True
    )
    type_code: Mapped[str] = mapped_column(
        Text, ForeignKey("area_type.code", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("app_user.id", ondelete="CASCADE"))
    owner: Mapped[str] = mapped_column(Text)  # the owner's username when it was made
    agency: Mapped[str | None] = mapped_column(Text)
    sharing: Mapped[str] = mapped_column(Text)
    made_from: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
