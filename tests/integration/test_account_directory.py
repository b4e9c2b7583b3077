"""The account directory is event-sourced and hash-chained (SPEC §4.1, §7): every change
to the accounts is an event written in the same transaction, and `verify` finds events
or tables changed behind its back."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import sqlalchemy

from assess.domain.directory import GENESIS
from assess.domain.errors import DomainError
from assess.infrastructure.accounts import (
    AccountStore,
    account_actors,
    account_events,
    accounts,
    password_hasher,
)
from assess.infrastructure.persistence import normalise_url


@pytest.fixture
def store(db: str) -> Iterator[AccountStore]:
    opened = AccountStore(db, password_hasher(time_cost=1, memory_kib=1024))
    yield opened
    opened.close()


def kinds(store: AccountStore) -> list[tuple[str, str, dict]]:
    return [(event["event"], event["by"], event["data"]) for event in store.audit()]


def execute(store: AccountStore, statement: str) -> None:
    with store.engine.begin() as connection:
        connection.execute(sqlalchemy.text(statement))


def test_every_change_is_an_event_with_who_and_why(store: AccountStore) -> None:
    store.add("ana", "password-1", admin=True, actors={"c1": "od"}, by="root", reason="hired")
    store.bind("ana", "c1", "lg", by="root")
    store.bind("ana", "c1", "lg", by="root")  # bound already: nothing happens
    store.unbind("ana", "c1", by="boss", reason="done")
    store.unbind("ana", "c1", by="boss")  # not bound: nothing happens
    store.set_password("ana", "password-2", by="ana")

    assert kinds(store) == [
        ("AccountCreated", "root", {"account": "ana", "admin": True}),
        ("ActorBound", "root", {"account": "ana", "cycle": "c1", "actor": "od", "replaced": None}),
        ("ActorBound", "root", {"account": "ana", "cycle": "c1", "actor": "lg", "replaced": "od"}),
        ("ActorUnbound", "boss", {"account": "ana", "cycle": "c1", "actor": "lg"}),
        ("PasswordChanged", "ana", {"account": "ana"}),
    ]
    events = store.audit()
    assert [event["position"] for event in events] == [1, 2, 3, 4, 5]
    assert [event["reason"] for event in events] == ["hired", "hired", None, "done", None]
    assert "password" not in str(events).replace("PasswordChanged", "")
    report = store.verify()
    assert report.ok and report.events == 5 and report.head == events[-1]["chain"]


def test_callers_that_name_nobody_are_recorded_as_system(store: AccountStore) -> None:
    store.add("ana", "password-1")
    assert kinds(store) == [("AccountCreated", "system", {"account": "ana", "admin": False})]


def test_a_refused_change_writes_no_event(store: AccountStore) -> None:
    store.add("ana", "password-1", actors={"c1": "lg"})
    store.add("bo", "password-1")
    before = store.audit()
    with pytest.raises(DomainError) as held:
        store.bind("bo", "c1", "lg", by="root")  # one account per actor
    assert held.value.code == "conflict"
    with pytest.raises(DomainError) as duplicate:
        store.add("ana", "password-1", by="root")
    assert duplicate.value.code == "duplicate"
    with pytest.raises(DomainError) as missing:
        store.set_password("nobody", "password-1", by="root")
    assert missing.value.code == "not_found"
    with pytest.raises(DomainError):
        store.add("cy", "password-1", actors={"c1": "lg"})  # bound to a held actor
    assert store.get("cy") is None  # the account and its event, both or neither
    assert store.audit() == before
    assert store.verify().ok


def test_the_audit_of_one_account(store: AccountStore) -> None:
    store.add("root", "password-1", admin=True)
    store.add("ana", "password-1", by="root")
    store.add("bo", "password-1", by="root")
    store.bind("bo", "c1", "lg", by="bo")
    about_ana = [(event["event"], event["data"]["account"]) for event in store.audit("ana")]
    assert about_ana == [("AccountCreated", "ana")]
    by_root = [event["data"]["account"] for event in store.audit("root")]
    assert by_root == ["root", "ana", "bo"]


def test_a_changed_event_is_found(store: AccountStore) -> None:
    store.add("ana", "password-1", actors={"c1": "lg"}, by="root")
    store.add("bo", "password-1", by="root")
    execute(store, "UPDATE account_events SET by = 'someone' WHERE position = 2")
    report = store.verify()
    assert not report.ok
    assert report.findings == ["event 2 (ActorBound): chain link does not match"]


def test_a_removed_event_is_found(store: AccountStore) -> None:
    store.add("ana", "password-1", by="root")
    store.add("bo", "password-1", by="root")
    execute(store, "DELETE FROM account_events WHERE position = 1")
    assert store.verify().findings == ["event 1 is missing (found position 2)"]


def test_accounts_changed_behind_the_directory_are_found(store: AccountStore) -> None:
    store.add("ana", "password-1", actors={"c1": "lg"}, by="root")
    execute(store, "UPDATE accounts SET admin = true WHERE name = 'ana'")
    assert store.verify().findings == ["account ana: stored admin=True, events say False"]
    execute(store, "UPDATE accounts SET admin = false WHERE name = 'ana'")
    execute(store, "UPDATE account_actors SET actor = 'od' WHERE account = 'ana'")
    assert store.verify().findings == [
        "account ana: stored actors {'c1': 'od'}, events say {'c1': 'lg'}"
    ]
    execute(store, "UPDATE account_actors SET actor = 'lg' WHERE account = 'ana'")
    assert store.verify().ok
    with store.engine.begin() as connection:
        row = {"name": "eve", "password_hash": "x", "admin": True, "created": datetime.now(UTC)}
        connection.execute(sqlalchemy.insert(accounts).values(**row))
    assert store.verify().findings == ["account eve is stored but no event created it"]


def test_accounts_of_the_previous_release_open_the_directory(db: str) -> None:
    engine = sqlalchemy.create_engine(normalise_url(db))
    accounts.metadata.create_all(engine, tables=[accounts, account_actors])  # no events
    with engine.begin() as connection:
        for name, admin in (("old", True), ("new", False)):
            row = {"name": name, "password_hash": "h", "admin": admin, "created": datetime.now(UTC)}
            connection.execute(sqlalchemy.insert(accounts).values(**row))
        connection.execute(
            sqlalchemy.insert(account_actors).values(account="new", cycle="c1", actor="lg")
        )
    engine.dispose()

    store = AccountStore(db, password_hasher(time_cost=1, memory_kib=1024))
    try:
        (opened,) = store.audit()
        assert (opened["position"], opened["event"], opened["by"]) == (
            1,
            "DirectoryOpened",
            "system",
        )
        assert opened["data"] == {
            "accounts": [
                {"account": "new", "admin": False, "actors": {"c1": "lg"}},
                {"account": "old", "admin": True, "actors": {}},
            ]
        }
        store.bind("old", "c1", "od", by="old")
        assert store.verify().ok and store.verify().events == 2
    finally:
        store.close()
    reopened = AccountStore(db, password_hasher(time_cost=1, memory_kib=1024))
    assert len(reopened.audit()) == 2  # opened once only
    reopened.close()


def test_an_empty_directory_verifies(store: AccountStore) -> None:
    report = store.verify()
    assert report.ok and report.events == 0 and report.head == GENESIS


def test_concurrent_writers_keep_one_chain(db: str, store: AccountStore) -> None:
    if db.startswith("sqlite"):
        pytest.skip("SQLite runs one writer at a time")
    others = [AccountStore(db, password_hasher(time_cost=1, memory_kib=1024)) for _ in range(4)]

    def add_many(index: int) -> None:
        for number in range(5):
            others[index].add(f"a{index}-{number}", "password-1", by=f"w{index}")

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(add_many, range(4)))
    finally:
        for other in others:
            other.close()
    report = store.verify()
    assert report.ok and report.events == 20


def test_an_event_that_does_not_fit_its_past_is_found(store: AccountStore) -> None:
    store.add("ana", "password-1", by="root")
    with store.engine.begin() as connection:  # a chain rewritten from scratch: links hold,
        connection.execute(sqlalchemy.delete(account_events))  # the story does not
    store.set_password("ana", "password-2", by="root")
    assert store.verify().findings == [
        "event 1 (PasswordChanged) does not fit what came before: 'ana'"
    ]
