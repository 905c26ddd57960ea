"""Request and response models of signing in, accounts and keys."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.contracts import Contract


class SignIn(BaseModel):
    username: str = Field(max_length=256)
    password: str = Field(max_length=1024)


class Who(Contract):
    """Who the request is from, and how this instance lets officers sign in."""

    signed_in: bool
    username: str | None = None
    display_name: str | None = None
    role: str
    agency: str | None = None
    via: Literal["session", "key", "none"]
    csrf_token: str | None = None
    expires_at: datetime | None = None
    sso: bool
    local: bool


class SignedOut(Contract):
    sessions_ended: int


class UserIn(BaseModel):
    username: str = Field(max_length=128)
    password: str = Field(max_length=1024)
    role: Literal["officer", "analyst", "admin"]
    agency: str | None = Field(default=None, max_length=63)
    display_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)


class UserOut(Contract):
    username: str
    display_name: str | None
    email: str | None
    role: str
    agency: str | None
    sign_in: Literal["local", "sso"]
    created_at: datetime
    last_sign_in_at: datetime | None
    disabled: bool


class KeyIn(BaseModel):
    agency: str | None = Field(default=None, max_length=63)
    scope: Literal["upload", "read"] = "upload"
    admin: bool = False
    label: str | None = Field(default=None, max_length=200)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class KeyCreated(Contract):
    key: str = Field(description="Shown this once: only its hash is kept")
    prefix: str
    agency: str | None
    scope: str
    expires_at: datetime | None


class KeyListed(Contract):
    prefix: str
    agency: str | None
    is_admin: bool
    scope: str
    label: str | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
