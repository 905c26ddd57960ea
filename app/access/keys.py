"""API key material: ``nis_<prefix>_<secret>``. Keys are 256-bit random secrets, so a
plain SHA-256 is a sufficient one-way store (no password-stretching needed)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

KEY_PREFIX = "nis_"


@dataclass(frozen=True)
class NewKey:
    key: str  # shown once, never stored
    prefix: str
    key_hash: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def generate_key() -> NewKey:
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return NewKey(key=key, prefix=prefix, key_hash=hash_key(key))
