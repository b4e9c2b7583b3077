"""A throw-away PostgreSQL database for tests.

``fresh_database_url()`` connects with psycopg2 to ``$DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``), creates a database named
``assess_test_<random hex>``, yields its URL (``postgresql://...``, accepted
by ``infrastructure.persistence.resolve_url``) and drops it afterwards
(``WITH (FORCE)``, so connections still open in engines do not block it).

If PostgreSQL cannot be reached the calling test is skipped with the reason,
unless ``REQUIRE_POSTGRES=1``: then it fails. Typical use, in a conftest::

    @pytest.fixture(scope="session")
    def pg_url():
        with fresh_database_url() as url:
            yield url
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import psycopg2
import pytest
from psycopg2 import sql
from sqlalchemy.engine import URL, make_url

__all__ = ["DEFAULT_DATABASE_URL", "admin_url", "fresh_database_url", "postgres_required"]

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
CONNECT_TIMEOUT = 5  # seconds


def _libpq_url(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def admin_url() -> URL:
    """``$DATABASE_URL`` (or the default), parsed; ``postgres://`` and ``+psycopg2`` accepted."""
    raw = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://") :]
    return make_url(raw)


def postgres_required() -> bool:
    return os.environ.get("REQUIRE_POSTGRES", "").strip() == "1"


def _unavailable(reason: str) -> NoReturn:
    if postgres_required():
        pytest.fail(f"PostgreSQL required (REQUIRE_POSTGRES=1) but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unavailable: {reason} (set REQUIRE_POSTGRES=1 to fail instead)")


def _admin_connection(url: URL):  # -> psycopg2 connection
    conn = psycopg2.connect(_libpq_url(url), connect_timeout=CONNECT_TIMEOUT)
    conn.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    return conn


@contextmanager
def fresh_database_url() -> Iterator[str]:
    """Create ``assess_test_<hex>``, yield its ``postgresql://`` URL, drop it afterwards."""
    admin = admin_url()
    shown = admin.render_as_string(hide_password=True)
    try:
        conn = _admin_connection(admin)
    except psycopg2.Error as e:
        first_line = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        _unavailable(f"cannot connect to {shown}: {first_line}")

    name = f"assess_test_{secrets.token_hex(6)}"
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()

    try:
        yield _libpq_url(admin.set(database=name))
    finally:
        conn = _admin_connection(admin)
        try:
            with conn.cursor() as cur:
                cur.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        finally:
            conn.close()
