"""Fixtures: the event store on SQLite and on PostgreSQL, the shared examples."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assess.application.service import AssessApp
from assess.infrastructure.persistence import open_application

# ../shared beside the checkout, as on every development and CI machine.
EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"
SCHEMES = ("group-party-org", "leadership-team", "performance-evaluation")
STORES = ("sqlite", "postgres")

# For a test whose outcome cannot depend on the store (a refusal made while reading a file
# or in the domain, before anything is stored): SQLite only, unless ASSESS_TEST_BOTH_STORES=1.
BOTH_STORES = os.environ.get("ASSESS_TEST_BOTH_STORES") == "1"
store_agnostic = pytest.mark.parametrize("db", STORES if BOTH_STORES else STORES[:1], indirect=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One fresh PostgreSQL database for the session (for each xdist worker), dropped
    afterwards."""
    from tests.pg import fresh_database_url

    with fresh_database_url() as url:
        yield url


@pytest.fixture(params=STORES)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL with an empty event store, on each of the two stores."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'assess.db'}"
        return
    url = request.getfixturevalue("postgres_url")
    _drop_tables(url)
    yield url
    _drop_tables(url)


def _drop_tables(url: str) -> None:
    import sqlalchemy

    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def app(db: str) -> Iterator[AssessApp]:
    application = open_application(AssessApp, db)
    yield application
    application.close()


@pytest.fixture
def memory_app() -> AssessApp:
    """The application on the library's in-memory store, for domain-level tests."""
    return AssessApp()
