"""The connection limits (infrastructure/connections.py) reach the engines, and what they
raise counts as a store failure (exit 3, HTTP 503)."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import IntegrityError, PersistenceError
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from assess.application.service import AssessApp
from assess.infrastructure.connections import DbLimits, engine_options, make_engine
from assess.infrastructure.persistence import normalise_url, open_application
from assess.infrastructure.store_errors import describe, is_store_failure


def test_limits_from_the_environment() -> None:
    assert DbLimits.from_env({}) == DbLimits(connect=10, statement=None, pool=10, busy=30)
    limits = DbLimits.from_env(
        {"ASSESS_DB_STATEMENT_TIMEOUT": "1.5", "ASSESS_DB_CONNECT_TIMEOUT": "0"}
    )
    assert (limits.statement, limits.connect) == (1.5, None)
    with pytest.raises(ValueError, match="ASSESS_DB_BUSY_TIMEOUT must be"):
        DbLimits.from_env({"ASSESS_DB_BUSY_TIMEOUT": "-1"})


def test_engine_options_per_store() -> None:
    pg = engine_options("postgresql+psycopg2://u@h/db", DbLimits(connect=1, statement=2.5))
    assert pg["connect_args"]["connect_timeout"] == 2  # libpq's shortest
    assert pg["connect_args"]["options"] == "-c statement_timeout=2500"
    assert pg["connect_args"]["keepalives"] == 1 and pg["pool_pre_ping"] is False  # events
    accounts = engine_options("postgresql+psycopg2://u@h/db", DbLimits(), pre_ping=True)
    assert accounts["pool_pre_ping"] is True
    sqlite = engine_options("sqlite:///x.db", DbLimits(busy=7))
    assert sqlite == {"connect_args": {"timeout": 7}, "pool_timeout": 10}
    assert "pool_timeout" not in engine_options("sqlite:///:memory:", DbLimits())


def test_the_events_store_gets_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSESS_DB_BUSY_TIMEOUT", "12")
    app = open_application(AssessApp, "sqlite:///:memory:", ASSESS_DB_POOL_TIMEOUT="3")
    try:
        engine = app.factory.datastore.engine  # type: ignore[attr-defined]
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 12_000
    finally:
        app.close()


def test_a_statement_over_the_timeout_is_cancelled(postgres_url: str) -> None:
    engine = make_engine(normalise_url(postgres_url), DbLimits(statement=0.2))
    try:
        with pytest.raises(OperationalError) as raised, engine.connect() as connection:
            connection.execute(text("SELECT pg_sleep(5)"))
        assert is_store_failure(raised.value)
        assert "statement timeout" in describe(raised.value)
    finally:
        engine.dispose()


def test_store_failures_in_their_wrappers() -> None:
    pool = PoolTimeout("QueuePool limit of size 5 overflow 10 reached, connection timed out")
    wrapped = PersistenceError(pool)  # as eventsourcing's Transaction raises it
    wrapped.__cause__ = pool
    assert is_store_failure(pool) and is_store_failure(wrapped)
    assert describe(wrapped).startswith("QueuePool limit")
    assert not is_store_failure(IntegrityError("duplicate"))  # a conflict, not a failure


def test_describe_hides_passwords() -> None:
    error = OperationalError("SELECT 1", {}, Exception("at postgresql://me:hunter2@db/x\nmore"))
    assert describe(error) == "at postgresql://me:***@db/x"
