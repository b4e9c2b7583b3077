"""User accounts of the HTTP API, kept in the same database as the events.

An account holds at most one actor id per cycle (``account_actors``); an account
may be ``admin`` (creates cycles and manages accounts). Passwords are stored as
argon2id hashes (argon2-cffi). Tables, created if missing (SQLAlchemy Core):

* ``accounts(name, password_hash, admin, created)``
* ``account_actors(account, cycle, actor)`` — primary key (account, cycle), one
  account per (cycle, actor)
* ``account_events(position, recorded, event, by, reason, data, chain)`` — the
  directory's events (domain/directory.py), written in the same transaction as the
  change to the tables above, which are their projection
* ``settings(key, value)`` — one row, ``token_secret``, so that every worker
  serving the same database signs and checks tokens with the same key.

Refusals are :class:`domain.errors.DomainError` with the usual codes
(``duplicate``, ``not_found``, ``invalid_value``).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from assess.domain.chain import canonical_bytes
from assess.domain.directory import (
    GENESIS,
    DirectoryEvent,
    DirectoryReport,
    Holder,
    directory_link,
    verify_directory,
)
from assess.domain.errors import DomainError
from assess.infrastructure.persistence import normalise_url

__all__ = ["Account", "AccountStore", "password_hasher"]

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
SECRET_KEY = "token_secret"
RECENT_LIMIT = 10_000  # accounts remembered by `cached` before it starts afresh
ATTEMPTS = 3  # a change whose event position another writer took first is tried again
DIRECTORY_LOCK = 0x61636374_6576656E  # PostgreSQL advisory lock key of directory writers
SYSTEM = "system"  # `by` of changes no person asked for (and of callers that name none)
T = TypeVar("T")

metadata = MetaData()
accounts = Table(
    "accounts",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("admin", Boolean, nullable=False, default=False),
    Column("created", DateTime(timezone=True), nullable=False),
)
account_actors = Table(
    "account_actors",
    metadata,
    Column(
        "account", String(64), ForeignKey("accounts.name", ondelete="CASCADE"), primary_key=True
    ),
    Column("cycle", String(200), primary_key=True),
    Column("actor", String(200), nullable=False),
    # An actor is one person: one account per (cycle, actor). Databases made before this
    # constraint rely on the check in `bind`.
    UniqueConstraint("cycle", "actor", name="account_actors_one_account"),
)
account_events = Table(
    "account_events",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("recorded", String(40), nullable=False),  # ISO 8601 text, exactly as hashed
    Column("event", String(40), nullable=False),
    Column("by", String(200), nullable=False),
    Column("reason", Text, nullable=True),
    Column("data", Text, nullable=False),  # canonical JSON
    Column("chain", String(64), nullable=False),
)
settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


@dataclass(frozen=True)
class Account:
    name: str
    admin: bool = False
    actors: dict[str, str] = field(default_factory=dict)  # cycle id -> actor id

    def actor_in(self, cycle: str) -> str | None:
        return self.actors.get(cycle)


def password_hasher(time_cost: int = 3, memory_kib: int = 65536) -> PasswordHasher:
    """argon2id; the defaults are argon2-cffi's (RFC 9106 low-memory profile)."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


class AccountStore:
    """Accounts and the token secret, in the database at ``url``."""

    def __init__(self, url: str, hasher: PasswordHasher | None = None) -> None:
        self.url = normalise_url(url)
        self.engine: Engine = create_engine(self.url, pool_pre_ping=True)
        self.hasher = hasher or password_hasher()
        self._dummy_hash = self.hasher.hash(secrets.token_hex(8))
        self._recent: dict[str, tuple[float, Account | None]] = {}
        self._create_tables()

    def _create_tables(self) -> None:
        # Two workers starting at once may both try to create a table: the loser retries.
        try:
            metadata.create_all(self.engine)
        except (IntegrityError, ProgrammingError, OperationalError):
            metadata.create_all(self.engine)
        self._open_directory()

    def _open_directory(self) -> None:
        """Accounts stored by a release without the directory's events: one event
        records them, so that the chain starts from what existed."""
        try:
            with self.engine.begin() as connection:
                if connection.execute(select(account_events.c.position).limit(1)).first():
                    return
                held = self._load(connection, None)
                if held:
                    opened = [
                        {"account": each.name, "admin": each.admin, "actors": each.actors}
                        for each in held
                    ]
                    reason = "accounts stored before the directory kept events"
                    _record(connection, "DirectoryOpened", SYSTEM, reason, {"accounts": opened})
        except _Collision:
            pass  # another worker recorded it first

    def close(self) -> None:
        self.engine.dispose()

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    # ---- accounts: every change is an event in the same transaction ------------------

    def add(
        self,
        name: str,
        password: str,
        admin: bool = False,
        actors: dict[str, str] | None = None,
        by: str = SYSTEM,
        reason: str | None = None,
    ) -> Account:
        """A new account, bound to `actors` (cycle → actor) in the same transaction."""
        _check_name(name)
        password_hash = self._hash(password)

        def change(connection: Connection) -> None:
            row = {
                "name": name,
                "password_hash": password_hash,
                "admin": admin,
                "created": datetime.now(UTC),
            }
            try:
                connection.execute(insert(accounts).values(**row))
            except IntegrityError:
                raise DomainError("duplicate", f"account {name!r} exists already") from None
            _record(connection, "AccountCreated", by, reason, {"account": name, "admin": admin})
            for cycle, actor in (actors or {}).items():
                _hold(connection, name, cycle, actor)
                bound = {"account": name, "cycle": cycle, "actor": actor, "replaced": None}
                _record(connection, "ActorBound", by, reason, bound)

        self._write(change)
        return self._get_or_fail(name)

    def set_password(
        self, name: str, password: str, by: str = SYSTEM, reason: str | None = None
    ) -> None:
        password_hash = self._hash(password)

        def change(connection: Connection) -> None:
            if not self._store_hash(connection, name, password_hash):
                raise _no_account(name)
            _record(connection, "PasswordChanged", by, reason, {"account": name})

        self._write(change)

    def bind(
        self, name: str, cycle: str, actor: str, by: str = SYSTEM, reason: str | None = None
    ) -> Account:
        """The account acts as `actor` in `cycle` (replacing an earlier actor there).
        Binding what is bound already changes nothing and records nothing."""

        def change(connection: Connection) -> None:
            self._require(connection, name)
            earlier = _held(connection, name, cycle)
            if earlier == actor:
                return
            _hold(connection, name, cycle, actor)
            bound = {"account": name, "cycle": cycle, "actor": actor, "replaced": earlier}
            _record(connection, "ActorBound", by, reason, bound)

        self._write(change)
        return self._get_or_fail(name)

    def unbind(self, name: str, cycle: str, by: str = SYSTEM, reason: str | None = None) -> Account:
        """The account no longer acts in `cycle`; if it did not, nothing is recorded."""

        def change(connection: Connection) -> None:
            self._require(connection, name)
            earlier = _held(connection, name, cycle)
            if earlier is None:
                return
            connection.execute(delete(account_actors).where(_binding(name, cycle)))
            unbound = {"account": name, "cycle": cycle, "actor": earlier}
            _record(connection, "ActorUnbound", by, reason, unbound)

        self._write(change)
        return self._get_or_fail(name)

    # ---- the directory's events -------------------------------------------------------

    def audit(self, account: str | None = None) -> list[dict[str, Any]]:
        """The directory's events in order; with `account`, those about it or by it."""
        with self.engine.connect() as connection:
            events = _events(connection)
        return [each.as_dict() for each in events if account is None or each.concerns(account)]

    def verify(self) -> DirectoryReport:
        """The chain re-checked and replayed; the stored accounts compared with it."""
        with self.engine.connect() as connection:
            events = _events(connection)
            stored = {
                each.name: Holder(each.admin, dict(each.actors))
                for each in self._load(connection, None)
            }
        return verify_directory(events, stored)

    def get(self, name: str) -> Account | None:
        with self.engine.connect() as connection:
            found = self._load(connection, accounts.c.name == name)
        return found[0] if found else None

    def cached(self, name: str, seconds: float) -> Account | None:
        """`get`, trusting an answer up to `seconds` old: what this process changes is seen
        at once, what another process changes within `seconds`."""
        now = time.monotonic()
        found = self._recent.get(name)
        if found is not None and now - found[0] < seconds:
            return found[1]
        account = self.get(name)
        if len(self._recent) > RECENT_LIMIT:
            self._recent.clear()
        self._recent[name] = (now, account)
        return account

    def all(self) -> list[Account]:
        with self.engine.connect() as connection:
            return self._load(connection, None)

    def authenticate(self, name: str, password: str) -> Account | None:
        """The account if the password is right; an unknown name costs the same time."""
        with self.engine.connect() as connection:
            stored = connection.execute(
                select(accounts.c.password_hash).where(accounts.c.name == name)
            ).scalar()
        try:
            self.hasher.verify(stored or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if stored is None:
            return None
        if self.hasher.check_needs_rehash(stored):
            # the same password under newer parameters: no directory event
            with self.engine.begin() as connection:
                self._store_hash(connection, name, self.hasher.hash(password))
            self._recent.clear()
        return self.get(name)

    # ---- the token secret -----------------------------------------------------------

    def token_secret(self) -> str:
        """The signing key shared by every worker: read, or made once and kept."""
        query = select(settings.c.value).where(settings.c.key == SECRET_KEY)
        with self.engine.connect() as connection:
            found = connection.execute(query).scalar()
        if found:
            return found
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(settings).values(key=SECRET_KEY, value=secrets.token_urlsafe(48))
                )
        except IntegrityError:
            pass  # another worker made it first
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one()

    # ---- helpers ------------------------------------------------------------------

    def _hash(self, password: str) -> str:
        if not isinstance(password, str) or not password:
            raise DomainError("invalid_value", "the password must not be empty")
        return self.hasher.hash(password)

    def _write(self, change: Callable[[Connection], T]) -> T:
        """`change` in one transaction, tried again if another writer took the event
        position it meant to use."""
        for _ in range(ATTEMPTS):
            try:
                with self.engine.begin() as connection:
                    if connection.dialect.name == "postgresql":
                        # directory writers take turns until commit: positions never collide
                        connection.execute(select(func.pg_advisory_xact_lock(DIRECTORY_LOCK)))
                    return change(connection)
            except _Collision:
                continue
            finally:
                self._recent.clear()
        raise DomainError("conflict", "the account directory kept changing; try again")

    @staticmethod
    def _store_hash(connection: Connection, name: str, password_hash: str) -> bool:
        return bool(
            connection.execute(
                update(accounts).where(accounts.c.name == name).values(password_hash=password_hash)
            ).rowcount
        )

    def _require(self, connection: Connection, name: str) -> None:
        if connection.execute(select(accounts.c.name).where(accounts.c.name == name)).first():
            return
        raise _no_account(name)

    def _get_or_fail(self, name: str) -> Account:
        account = self.get(name)
        if account is None:
            raise _no_account(name)
        return account

    def _load(self, connection: Connection, condition) -> list[Account]:
        query = select(
            accounts.c.name, accounts.c.admin, account_actors.c.cycle, account_actors.c.actor
        ).select_from(accounts.outerjoin(account_actors))
        if condition is not None:
            query = query.where(condition)
        found: dict[str, Account] = {}
        for name, admin, cycle, actor in connection.execute(query.order_by(accounts.c.name)):
            account = found.setdefault(name, Account(name, bool(admin)))
            if cycle is not None:
                account.actors[cycle] = actor
        return list(found.values())


class _Collision(Exception):
    """Another writer recorded a directory event at the same position first."""


def _record(
    connection: Connection, event: str, by: str, reason: str | None, data: dict[str, Any]
) -> None:
    """The directory event, appended after the last one, in `connection`'s transaction."""
    last = connection.execute(
        select(account_events.c.position, account_events.c.chain)
        .order_by(account_events.c.position.desc())
        .limit(1)
    ).first()
    position, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
    recorded = datetime.now(UTC).isoformat()
    chain = directory_link(event, position, recorded, by, reason, data, previous)
    row = {
        "position": position,
        "recorded": recorded,
        "event": event,
        "by": by,
        "reason": reason,
        "data": canonical_bytes(data).decode(),
        "chain": chain,
    }
    try:
        connection.execute(insert(account_events).values(**row))
    except IntegrityError:
        raise _Collision from None


def _events(connection: Connection) -> list[DirectoryEvent]:
    rows = connection.execute(select(account_events).order_by(account_events.c.position))
    return [
        DirectoryEvent(
            row.position, row.recorded, row.event, row.by, row.reason, _data(row.data), row.chain
        )
        for row in rows
    ]


def _data(stored: str) -> dict[str, Any]:
    """The event's data; text that is no JSON object is kept as found (its link fails)."""
    try:
        found = orjson.loads(stored)
    except orjson.JSONDecodeError:
        return {"unreadable": stored}
    return found if isinstance(found, dict) else {"unreadable": stored}


def _binding(name: str, cycle: str) -> Any:
    """The row of what account `name` holds in `cycle`."""
    return (account_actors.c.account == name) & (account_actors.c.cycle == cycle)


def _held(connection: Connection, name: str, cycle: str) -> str | None:
    return connection.execute(select(account_actors.c.actor).where(_binding(name, cycle))).scalar()


def _hold(connection: Connection, name: str, cycle: str, actor: str) -> None:
    """Account `name` holds `actor` in `cycle`, in place of its earlier actor there. An
    actor is one person: another account holding it is a `conflict`."""
    holder = connection.execute(
        select(account_actors.c.account).where(
            (account_actors.c.cycle == cycle)
            & (account_actors.c.actor == actor)
            & (account_actors.c.account != name)
        )
    ).scalar()
    if holder is not None:
        raise DomainError("conflict", f"account {holder} holds actor {actor} in {cycle} already")
    connection.execute(delete(account_actors).where(_binding(name, cycle)))
    try:
        connection.execute(insert(account_actors).values(account=name, cycle=cycle, actor=actor))
    except IntegrityError:  # another account bound it meanwhile; the transaction rolls back
        raise DomainError("conflict", f"actor {actor} of {cycle} is held already") from None


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise DomainError(
            "invalid_value",
            f"account name {name!r}: 1 to 64 letters, digits, '.', '_', '@' or '-'",
        )


def _no_account(name: str) -> DomainError:
    return DomainError("not_found", f"no account {name!r}")
