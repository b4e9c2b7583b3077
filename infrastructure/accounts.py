"""User accounts of the HTTP API, kept in the same database as the events.

An account holds at most one actor id per cycle (``account_actors``); an account
may be ``admin`` (creates cycles and manages accounts). Passwords are stored as
argon2id hashes (argon2-cffi). Tables, created if missing (SQLAlchemy Core):

* ``accounts(name, password_hash, admin, created)``
* ``account_actors(account, cycle, actor)`` — primary key (account, cycle), one
  account per (cycle, actor)
* ``settings(key, value)`` — one row, ``token_secret``, so that every worker
  serving the same database signs and checks tokens with the same key.

Refusals are :class:`domain.errors.DomainError` with the usual codes
(``duplicate``, ``not_found``, ``invalid_value``).
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from assess.domain.errors import DomainError
from assess.infrastructure.persistence import normalise_url

__all__ = ["Account", "AccountStore", "password_hasher"]

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
SECRET_KEY = "token_secret"
RECENT_LIMIT = 10_000  # accounts remembered by `cached` before it starts afresh

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

    def close(self) -> None:
        self.engine.dispose()

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    # ---- accounts ---------------------------------------------------------------

    def add(
        self, name: str, password: str, admin: bool = False, actors: dict[str, str] | None = None
    ) -> Account:
        """A new account, bound to `actors` (cycle → actor) in the same transaction."""
        _check_name(name)
        self._recent.clear()
        row = {
            "name": name,
            "password_hash": self._hash(password),
            "admin": admin,
            "created": datetime.now(UTC),
        }
        with self.engine.begin() as connection:
            try:
                connection.execute(insert(accounts).values(**row))
            except IntegrityError:
                raise DomainError("duplicate", f"account {name!r} exists already") from None
            for cycle, actor in (actors or {}).items():
                _hold(connection, name, cycle, actor)
        return self._get_or_fail(name)

    def set_password(self, name: str, password: str) -> None:
        self._recent.clear()
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(accounts)
                .where(accounts.c.name == name)
                .values(password_hash=self._hash(password))
            ).rowcount
        if not changed:
            raise _no_account(name)

    def bind(self, name: str, cycle: str, actor: str) -> Account:
        """The account acts as `actor` in `cycle` (replacing an earlier actor there)."""
        self._recent.clear()
        with self.engine.begin() as connection:
            self._require(connection, name)
            _hold(connection, name, cycle, actor)
        return self._get_or_fail(name)

    def unbind(self, name: str, cycle: str) -> Account:
        self._recent.clear()
        with self.engine.begin() as connection:
            self._require(connection, name)
            key = (account_actors.c.account == name) & (account_actors.c.cycle == cycle)
            connection.execute(delete(account_actors).where(key))
        return self._get_or_fail(name)

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
            self.set_password(name, password)
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
    key = (account_actors.c.account == name) & (account_actors.c.cycle == cycle)
    connection.execute(delete(account_actors).where(key))
    try:
        with connection.begin_nested():
            connection.execute(
                insert(account_actors).values(account=name, cycle=cycle, actor=actor)
            )
    except IntegrityError:  # another account bound it meanwhile
        raise DomainError("conflict", f"actor {actor} of {cycle} is held already") from None


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise DomainError(
            "invalid_value",
            f"account name {name!r}: 1 to 64 letters, digits, '.', '_', '@' or '-'",
        )


def _no_account(name: str) -> DomainError:
    return DomainError("not_found", f"no account {name!r}")
