"""The password rules and the directory's account flags (SPEC §4.1), in the domain."""

from __future__ import annotations

import pytest

from assess.domain.directory import (
    GENESIS,
    DirectoryEvent,
    Holder,
    directory_link,
    replay,
    state_differences,
)
from assess.domain.errors import DomainError
from assess.domain.passwords import check_password


@pytest.mark.parametrize(
    ("name", "password"),
    [
        ("ana", ""),
        ("ana", "x"),
        ("ana", "nine-char"),
        ("Operator-1", "operator-1"),
        ("ana", "p" * 1025),
        ("ana", "nul\x00-in-the-middle"),
        ("ana", "line\nbreak-inside"),
        ("ana", "del\x7f-character"),
        ("ana", "surrogate-\ud800-x"),
    ],
)
def test_passwords_that_break_a_rule(name: str, password: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_password(name, password)
    assert refused.value.code == "invalid_value"
    assert "\n" not in refused.value.message
    assert not password or password not in refused.value.message


@pytest.mark.parametrize("password", ["ten-chars!", "p" * 1024, "口令" * 5, "ana-ana-ana"])
def test_passwords_that_keep_the_rules(password: str) -> None:
    check_password("ana", password)


def _events(*kinds: str) -> list[DirectoryEvent]:
    made, previous = [], GENESIS
    for position, kind in enumerate(("AccountCreated", *kinds), start=1):
        data = {"account": "ana", "admin": False} if position == 1 else {"account": "ana"}
        when = "2025-01-01T00:00:00"
        chain = directory_link(kind, position, when, "root", None, data, previous)
        made.append(DirectoryEvent(position, when, kind, "root", None, data, chain))
        previous = chain
    return made


def test_flags_replay_and_are_compared_with_what_is_stored() -> None:
    state = replay(_events("AdminGranted", "AccountDisabled", "AdminRevoked"))
    assert state == {"ana": Holder(admin=False, disabled=True)}
    assert replay(_events("AccountDisabled", "AccountEnabled"))["ana"].disabled is False
    assert state_differences(state, {"ana": Holder()}) == [
        "account ana: stored disabled=False, events say True"
    ]
    with pytest.raises(DomainError):
        replay(_events("AccountDisabled")[1:])  # about an account no event created
