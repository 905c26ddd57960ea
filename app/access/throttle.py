"""Slowing down guessing: failed sign-ins and bad keys are counted per address and per
account name in a window (in PostgreSQL, so every web worker counts the same), and past
a limit attempts are refused with 429 and ``Retry-After`` until the window ends.

Counts are kept in transactions of their own: the request that failed is rolled back,
its failure must not be.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.access import account_repository as repo
from app.errors import TooManyAttemptsError
from app.settings import Settings


@dataclass(frozen=True)
class Limits:
    window_s: float
    per_address: int
    per_account: int

    def limit(self, scope: str) -> int:
        return self.per_address if scope == "address" else self.per_account

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            settings.throttle_window_s,
            settings.throttle_address_failures,
            settings.throttle_account_failures,
        )


def _subjects(address: str | None, account: str | None) -> list[tuple[str, str]]:
    out = [("address", address or "unknown")]
    if account is not None:
        out.append(("account", account.casefold()))
    return out


def refuse_if_throttled(
    session: Session, limits: Limits, address: str | None, account: str | None = None
) -> None:
    """429 (:class:`TooManyAttemptsError`) while the address or account is over its limit
    (a read, in the request's transaction)."""
    for scope, subject in _subjects(address, account):
        wait = repo.throttled_for(session, scope, subject, limits.limit(scope), limits.window_s)
        if wait > 0:
            raise TooManyAttemptsError(
                "Too many failed attempts; try again later", retry_after=math.ceil(wait)
            )


def count_failure(
    engine: Engine, limits: Limits, address: str | None, account: str | None = None
) -> bool:
    """Count a failure; whether it was the one that reached a limit."""
    reached = False
    with engine.begin() as conn:
        for scope, subject in _subjects(address, account):
            failures = repo.count_failure(conn, scope, subject, limits.window_s)
            reached |= failures == limits.limit(scope)
    return reached


def clear_account(engine: Engine, account: str) -> None:
    """A successful sign-in clears the account's failures (not the address's)."""
    with engine.begin() as conn:
        repo.clear_failures(conn, "account", account.casefold())
