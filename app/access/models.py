"""Agencies own indicators; keys let an agency (or an administrator) write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.models import Base


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)  # short identifier, e.g. "police"
    title: Mapped[str | None] = mapped_column(Text)  # e.g. "South Yorkshire Police"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ApiKey(Base):
    """A key is shown once; only its SHA-256 is kept (keys are long random secrets)."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("agency.id", ondelete="CASCADE")
    )
    prefix: Mapped[str] = mapped_column(Text, unique=True)  # shown in listings
    key_hash: Mapped[str] = mapped_column(Text, unique=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, server_default="false")
    label: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text, server_default="upload")  # "upload" or "read"
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class User(Base):
    """An officer's account: local (with an Argon2 password hash) or from the
    partnership's identity provider (issuer and subject; role and agency refreshed from
    its groups at each sign-in)."""

    __tablename__ = "app_user"
    __table_args__ = (
        UniqueConstraint("oidc_issuer", "oidc_subject"),
        CheckConstraint("role IN ('officer', 'analyst', 'admin')", name="role"),
        CheckConstraint("role <> 'analyst' OR agency_id IS NOT NULL", name="analyst_agency"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    username: Mapped[str] = mapped_column(Text, unique=True)  # lower-case
    display_name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    agency_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("agency.id", ondelete="RESTRICT")
    )
    password_hash: Mapped[str | None] = mapped_column(Text)
    oidc_issuer: Mapped[str | None] = mapped_column(Text)
    oidc_subject: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UserSession(Base):
    """A signed-in browser: the cookie holds a random token, only its SHA-256 is kept.
    Revoked by signing out (or out everywhere), by disabling or resetting the account,
    and expired when idle too long or past its absolute end."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(Text, unique=True)
    csrf_token: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(Text)  # "local" or "oidc"
    address: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PendingSignIn(Base):
    """A single sign-on begun and not yet finished: its state, nonce and PKCE verifier,
    kept server-side and found by the SHA-256 of the state the provider sends back."""

    __tablename__ = "pending_sign_in"

    state_hash: Mapped[str] = mapped_column(Text, primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AuthThrottle(Base):
    """Failed sign-ins and bad keys counted per address and per account name in a
    window; past a limit, attempts are refused with 429 until the window ends."""

    __tablename__ = "auth_throttle"

    scope: Mapped[str] = mapped_column(Text, primary_key=True)  # "address" or "account"
    subject: Mapped[str] = mapped_column(Text, primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(Integer)
