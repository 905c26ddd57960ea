"""Local accounts' passwords: Argon2id hashes, and what a new password must be.

The cost is RFC 9106's second recommended option (t=3, 64 MiB, one lane): about
140 ms a check on one core of the reference machine (``bench/bench_auth.py``). Hashes
carry their own parameters, so raising the cost later re-hashes each account at its next
sign-in (:func:`needs_rehash`).
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.errors import InvalidParameterError

TIME_COST = 3
MEMORY_COST_KIB = 64 * 1024
PARALLELISM = 1
MIN_LENGTH = 12
MAX_LENGTH = 1024  # hashing a megabyte of password is a way to spend the server's time


@cache
def hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM)


@cache
def _common() -> frozenset[str]:
    """The 30,000 commonest passwords of public breaches (zxcvbn's list)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check_new_password(password: str, username: str) -> None:
    """Refuse (400) a password too short, too long, common, or the account's own name."""
    if len(password) < MIN_LENGTH:
        raise InvalidParameterError(f"A password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidParameterError(f"A password may have at most {MAX_LENGTH} characters")
    folded = password.casefold()
    if folded in _common() or folded.strip("0123456789!") in _common():
        raise InvalidParameterError(
            "That password is among the commonest ones people use; choose another "
            "(a few unrelated words make a good one)"
        )
    if username.casefold() in folded:
        raise InvalidParameterError("A password may not contain the account's name")


def hash_password(password: str) -> str:
    return hasher().hash(password)


# A hash to check against when there is no account, so that a wrong name takes as long
# as a wrong password and the answer's timing does not tell whether the account exists.
@cache
def _decoy() -> str:
    return hasher().hash("not the password of any account")


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (None: no account, checked all the same)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return hasher().verify(stored or _decoy(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return hasher().check_needs_rehash(stored)
