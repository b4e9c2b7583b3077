"""Fixtures: the event store on SQLite and on PostgreSQL, the shared examples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assess.application.service import AssessApp
from assess.infrastructure.persistence import open_application

# ../shared beside the checkout, as on every development and CI machine.
EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"
SCHEMES = ("group-party-org", "leadership-team", "performance-evaluation")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One fresh PostgreSQL database for the session, dropped afterwards."""
    from tests.pg import fresh_database_url

    with fresh_database_url() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
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
