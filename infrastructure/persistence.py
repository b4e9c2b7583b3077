"""Where and how applications persist their events.

One code path for SQLite and PostgreSQL: eventsourcing-sqlalchemy with the
Core-insert recorders of :mod:`infrastructure.recorders`.

URL forms accepted (``--db`` option, else ``ASSESS_DB``, else ``DEFAULT_URL``):

* ``sqlite:///relative/path.db`` and ``sqlite:////absolute/path.db``
  (``sqlite:///:memory:`` also works, one private database per application);
* ``postgresql://user[:password]@host[:port]/dbname`` and ``postgres://...``,
  normalised to ``postgresql+psycopg2://...`` (an explicit
  ``postgresql+psycopg2://`` is accepted as is).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from assess.infrastructure import cycle_locks
from assess.infrastructure.recorders import FACTORY_TOPIC

__all__ = [
    "DEFAULT_URL",
    "ENV_VAR",
    "application_env",
    "normalise_url",
    "open_application",
    "resolve_url",
    "sqlite_path",
]

DEFAULT_URL = "sqlite:///assess.db"
ENV_VAR = "ASSESS_DB"

_SQLITE_PREFIX = "sqlite:///"
_PG_PREFIXES = ("postgresql+psycopg2://", "postgresql://", "postgres://")
_PG_CANONICAL = "postgresql+psycopg2://"

T = TypeVar("T")


def _redact(url: str) -> str:
    """Hide a password in a URL before it goes into an error message."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


def _invalid(url: str, why: str) -> ValueError:
    return ValueError(
        f"unsupported database URL {_redact(url)!r}: {why}; expected "
        "sqlite:///PATH or postgresql://USER@HOST[:PORT]/DBNAME (or postgres://...)"
    )


def normalise_url(url: str) -> str:
    """Check a database URL and return it in the form SQLAlchemy is given.

    Raises ValueError (one line, password hidden) for anything unsupported.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError("empty database URL; expected sqlite:///PATH or postgresql://...")
    url = url.strip()
    if url.startswith(_SQLITE_PREFIX):
        if not url[len(_SQLITE_PREFIX) :]:
            raise _invalid(url, "no database file path")
        return url
    for prefix in _PG_PREFIXES:
        if url.startswith(prefix):
            canonical = _PG_CANONICAL + url[len(prefix) :]
            try:
                make_url(canonical)
            except (ArgumentError, ValueError) as e:
                raise _invalid(url, f"cannot parse it ({e})") from None
            return canonical
    if url.startswith("sqlite:"):
        raise _invalid(url, "SQLite needs a file path after 'sqlite:///'")
    if "://" not in url:
        raise _invalid(url, f"not a URL (for a file, did you mean 'sqlite:///{url}'?)")
    scheme = url.split("://", 1)[0]
    raise _invalid(url, f"scheme {scheme!r} is not supported")


def resolve_url(cli_value: str | None) -> str:
    """The database URL to use: ``--db`` value, else ``$ASSESS_DB``, else the default.

    Empty strings count as "not given". The result is normalised (see
    :func:`normalise_url`); an unsupported URL raises ValueError.
    """
    for candidate in (cli_value, os.environ.get(ENV_VAR)):
        if candidate is not None and candidate.strip():
            return normalise_url(candidate)
    return normalise_url(DEFAULT_URL)


def sqlite_path(url: str) -> str | None:
    """The file path of a SQLite URL (None for PostgreSQL or in-memory SQLite)."""
    url = normalise_url(url)
    if not url.startswith(_SQLITE_PREFIX):
        return None
    path = url[len(_SQLITE_PREFIX) :].split("?", 1)[0]
    if path == ":memory:" or path.startswith("file::memory:"):
        return None
    return path


def application_env(url: str) -> dict[str, str]:
    """Settings for ``App(env=...)`` so the app persists at ``url``.

    Uses eventsourcing-sqlalchemy through :class:`FastSQLAlchemyFactory`
    (tables are created if missing; SQLite files are switched to WAL mode by
    the library on first use).
    """
    return {
        "PERSISTENCE_MODULE": FACTORY_TOPIC,
        "SQLALCHEMY_URL": normalise_url(url),
        "CREATE_TABLE": "y",
    }


def open_application(app_class: type[T], url: str | None = None, **extra_env: Any) -> T:
    """Construct ``app_class`` persisting at ``url`` (resolved with :func:`resolve_url`).

    ``extra_env`` is merged into the settings, e.g.
    ``IS_SNAPSHOTTING_ENABLED="y"`` or ``AGGREGATE_CACHE_MAXSIZE=100``
    (values are converted to str; they override the defaults, so
    ``PERSISTENCE_MODULE="eventsourcing_sqlalchemy"`` selects the stock
    recorders). ``PERSISTENCE_MODULE`` and ``SQLALCHEMY_URL`` are also set with
    the application name prefix (``<NAME>_SQLALCHEMY_URL``), which the library
    reads first, so a stray prefixed variable in the process environment cannot
    redirect the application elsewhere. A SQLite file's directory is created. An
    application that takes them (``serialise_writers``) gets the store's cross-process
    writer locks (:mod:`infrastructure.cycle_locks`), and one that reads them
    (``attach_views``) the read views (:mod:`infrastructure.view_reader`), and one that
    keeps them (``attach_files``) the evidence files (:mod:`infrastructure.file_store`).
    """
    resolved = resolve_url(url)
    path = sqlite_path(resolved)
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    env = application_env(resolved)
    env.update({key: str(value) for key, value in extra_env.items()})
    name = getattr(app_class, "name", "") or ""
    if name:
        for key in ("PERSISTENCE_MODULE", "SQLALCHEMY_URL"):
            env[f"{name.upper()}_{key}"] = env[key]
    app = app_class(env=env)  # type: ignore[call-arg]
    attach = getattr(app, "attach_views", None)
    if attach is not None:  # reads answer from the read views where they are current
        from assess.infrastructure.view_reader import ViewReader

        attach(ViewReader(app))  # type: ignore[arg-type]
    keep_files = getattr(app, "attach_files", None)
    if keep_files is not None:  # evidence files, in the same database as the events
        from assess.infrastructure.file_store import SQLFileStore

        keep_files(SQLFileStore(app.recorder.datastore.engine))  # type: ignore[attr-defined]
    serialise = getattr(app, "serialise_writers", None)
    if serialise is not None:  # writers in other processes on this store wait in turn
        writers = cycle_locks.for_recorder(getattr(app, "recorder", None))
        if writers is not None:
            serialise(writers)
    return app
