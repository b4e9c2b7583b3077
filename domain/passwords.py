"""Password rules (SPEC §4.1): what an account's new password must be.

At least 10 characters and not the account's name (compared case-insensitively), so a
guess from a short list does not open it; at most 1,024, so hashing it stays cheap; no
control character or unpaired surrogate, which no keyboard types and argon2 cannot
encode. Demo accounts are exempt, and their directory event says so
(infrastructure/accounts.py)."""

from __future__ import annotations

from assess.domain.errors import DomainError

__all__ = ["EXEMPT", "LONGEST_PASSWORD", "SHORTEST_PASSWORD", "check_password", "hashable"]

SHORTEST_PASSWORD = 10
LONGEST_PASSWORD = 1024
EXEMPT = "exempt from the password rules"


def check_password(name: str, password: str) -> None:
    """Refuses, in one line, a password that breaks a rule; never repeats the password."""
    if not isinstance(password, str):
        raise DomainError("invalid_value", "the password must be text")
    if len(password) < SHORTEST_PASSWORD:
        raise DomainError(
            "invalid_value", f"the password must have at least {SHORTEST_PASSWORD} characters"
        )
    if len(password) > LONGEST_PASSWORD:
        raise DomainError(
            "invalid_value", f"the password must have at most {LONGEST_PASSWORD} characters"
        )
    if password.casefold() == name.casefold():
        raise DomainError("invalid_value", "the password must not be the account name")
    if not hashable(password):
        raise DomainError(
            "invalid_value", "the password must not hold control characters or unpaired surrogates"
        )


def hashable(password: str) -> bool:
    """No control character (C0, DEL, C1) and no unpaired surrogate."""
    return not any(
        ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 or 0xD800 <= ord(char) <= 0xDFFF
        for char in password
    )
