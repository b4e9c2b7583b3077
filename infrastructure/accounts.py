"""User accounts of the HTTP API, kept in the same database as the events.

An account holds at most one actor id per cycle (``account_actors``); an account
may be ``admin`` (creates cycles and manages accounts). Passwords are stored as
argon2id hashes (argon2-cffi), computed at most ``hash_concurrency`` at a time in
this process, so that a flood of them cannot take every core and gigabytes of memory.
New passwords follow domain/passwords.py. Tables, created if missing (SQLAlchemy Core):

* ``accounts(name, password_hash, admin, created, disabled, sessions)`` — accounts
  are disabled, never deleted; ``sessions`` counts the changes that revoke the
  account's tokens (password, disabling, enabling, admin revoked): a token carries
  the count it was issued under (api/auth.py). Tables of an earlier release get the
  last two columns when opened.
* ``account_actors(account, cycle, actor)`` — primary key (account, cycle), one
  account per (cycle, actor)
* ``account_events(position, recorded, event, by, reason, data, chain)`` — the
  directory's events (domain/directory.py), written in the same transaction as the
  change to the tables above, which are their projection

The token signing key is never kept here (SPEC §4.1): anyone who can read the
database could copy it. A key an earlier release stored in its ``settings`` table is
deleted when the store opens, so that it stops working.

Refusals are :class:`domain.errors.DomainError` with the usual codes
(``duplicate``, ``not_found``, ``invalid_value``, ``conflict``, ``permission_denied``).
"""

from __future__ import annotations

import re
import secrets
import threading
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
    delete,
    false,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.schema import CreateColumn

from assess.domain.chain import canonical_bytes
from assess.domain.directory import (
    FLAGS,
    GENESIS,
    DirectoryEvent,
    DirectoryReport,
    Holder,
    directory_link,
    verify_directory,
)
from assess.domain.errors import DomainError
from assess.domain.passwords import EXEMPT, LONGEST_PASSWORD, check_password, hashable
from assess.domain.requests import Request, is_repeat
from assess.domain.texts import FREE, checked_text
from assess.infrastructure.connections import DbLimits, make_engine
from assess.infrastructure.persistence import normalise_url

__all__ = ["NAME_PATTERN", "Account", "AccountStore", "password_hasher"]

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")  # `fullmatch` it
SECRET_KEY = "token_secret"  # the `settings` row where an earlier release kept the key
RECENT_LIMIT = 10_000  # accounts remembered by `cached` before it starts afresh
ATTEMPTS = 3  # a change whose event position another writer took first is tried again
DIRECTORY_LOCK = 0x61636374_6576656E  # PostgreSQL advisory lock key of directory writers
SYSTEM = "system"  # `by` of changes no person asked for (and of callers that name none)
# directory events that revoke the account's tokens (passwords: `set_password`)
REVOKING = frozenset({"AccountDisabled", "AccountEnabled", "AdminRevoked"})
T = TypeVar("T")

metadata = MetaData()
accounts = Table(
    "accounts",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("admin", Boolean, nullable=False, default=False),
    Column("created", DateTime(timezone=True), nullable=False),
    # added by the release with disabling and revocation (`_upgrade` adds them)
    Column("disabled", Boolean, nullable=False, default=False, server_default=false()),
    Column("sessions", Integer, nullable=False, default=0, server_default=text("0")),
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


@dataclass(frozen=True)
class Account:
    name: str
    admin: bool = False
    actors: dict[str, str] = field(default_factory=dict)  # cycle id -> actor id
    disabled: bool = False
    sessions: int = 0  # a token issued under another count is revoked

    def actor_in(self, cycle: str) -> str | None:
        return self.actors.get(cycle)


def password_hasher(time_cost: int = 3, memory_kib: int = 65536) -> PasswordHasher:
    """argon2id; the defaults are argon2-cffi's (RFC 9106 low-memory profile)."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


class AccountStore:
    """The accounts and their directory, in the database at ``url``."""

    def __init__(
        self,
        url: str,
        hasher: PasswordHasher | None = None,
        hash_concurrency: int = 1,
        limits: DbLimits | None = None,
    ) -> None:
        self.url = normalise_url(url)
        # The events store's timeouts and pool (infrastructure/connections.py).
        self.engine: Engine = make_engine(self.url, limits)
        self.hasher = hasher or password_hasher()
        self._hashing = threading.BoundedSemaphore(hash_concurrency)
        self._dummy: str | None = None  # made on first use: most CLI commands never need it
        self._recent: dict[str, tuple[float, Account | None]] = {}
        self._create_tables()

    def _create_tables(self) -> None:
        # Two workers starting at once may both try to create a table: the loser retries.
        try:
            metadata.create_all(self.engine)
        except (IntegrityError, ProgrammingError, OperationalError):
            metadata.create_all(self.engine)
        self._upgrade()
        self._forget_secret()
        self._open_directory()

    def _upgrade(self) -> None:
        """Adds this release's columns to an ``accounts`` table made by an earlier one.
        Two workers may do it at once: PostgreSQL's IF NOT EXISTS, run under the table's
        lock, skips a column the other added; on SQLite the loser's refusal is ignored
        once the column is seen."""
        for column in (accounts.c.disabled, accounts.c.sessions):
            if column.name in self._columns():
                continue
            maybe = " IF NOT EXISTS" if self.engine.dialect.name == "postgresql" else ""
            added = CreateColumn(column).compile(dialect=self.engine.dialect)
            try:
                with self.engine.begin() as connection:
                    connection.execute(text(f"ALTER TABLE accounts ADD COLUMN{maybe} {added}"))
            except (IntegrityError, ProgrammingError, OperationalError):
                if column.name not in self._columns():
                    raise

    def _columns(self) -> set[str]:
        return {column["name"] for column in inspect(self.engine).get_columns("accounts")}

    def _forget_secret(self) -> None:
        """An earlier release kept the token key in ``settings``: deleted, so that a copy
        read from the database signs nothing any more. The table itself stays."""
        if not inspect(self.engine).has_table("settings"):
            return
        with self.engine.begin() as connection:
            connection.execute(text("DELETE FROM settings WHERE key = :key"), {"key": SECRET_KEY})

    def _open_directory(self) -> None:
        """Accounts stored by a release without the directory's events: one event
        records them, so that the chain starts from what existed. Of workers opening it
        at once, one records it: the event must be the first."""

        def change(connection: Connection) -> None:
            if connection.execute(select(account_events.c.position).limit(1)).first():
                return
            held = self._load(connection, None)
            if held:
                opened = [
                    {"account": each.name, "admin": each.admin, "actors": each.actors}
                    for each in held
                ]
                reason = "accounts stored before the directory kept events"
                opened_data = {"accounts": opened}
                _record(connection, "DirectoryOpened", SYSTEM, reason, opened_data, first=True)

        try:
            self._write(change)
        except OperationalError:
            if not self.audit():
                raise

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
        exempt: bool = False,
        request: Request | None = None,
    ) -> Account:
        """A new account, bound to `actors` (cycle → actor) in the same transaction.
        `exempt` is for the demo accounts only: the password rules are not applied, and
        the event's reason says so. A `request` (idempotency key) stored before changes
        nothing: the account is answered as it is now."""
        _check_name(name)
        reason = _password_reason(name, password, _reason(reason), exempt)
        password_hash = self._hash(password)
        keyed = {} if request is None else {"request": request}

        def change(connection: Connection) -> None:
            if _stored_before(connection, request):
                return
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
            created = {"account": name, "admin": admin, **keyed}
            _record(connection, "AccountCreated", by, reason, created)
            for cycle, actor in (actors or {}).items():
                _hold(connection, name, cycle, actor)
                bound = {"account": name, "cycle": cycle, "actor": actor, "replaced": None}
                _record(connection, "ActorBound", by, reason, {**bound, **keyed})

        self._write(change)
        return self._get_or_fail(name)

    def set_password(
        self,
        name: str,
        password: str,
        by: str = SYSTEM,
        reason: str | None = None,
        current: str | None = None,
        exempt: bool = False,
    ) -> None:
        """A new password; every token issued before stops working. With `current` (an
        account changing its own), that must be its password now, else
        `permission_denied`; without, it is a reset (an admin's, the operator's).
        `exempt`: as for `add`."""
        reason = _password_reason(name, password, _reason(reason), exempt)
        if current is not None and not self._matches(name, current):
            raise DomainError("permission_denied", "the current password is not right")
        password_hash = self._hash(password)

        def change(connection: Connection) -> None:
            changed = connection.execute(
                update(accounts)
                .where(accounts.c.name == name)
                .values(password_hash=password_hash, sessions=accounts.c.sessions + 1)
            ).rowcount
            if not changed:
                raise _no_account(name)
            _record(connection, "PasswordChanged", by, reason, {"account": name})

        self._write(change)

    def disable(self, name: str, by: str = SYSTEM, reason: str | None = None) -> Account:
        """The account can no longer sign in and its tokens stop working; it stays, with
        its history and bindings. Refused for the last enabled admin."""
        return self._set_flag(name, "AccountDisabled", by, reason)

    def enable(
        self,
        name: str,
        by: str = SYSTEM,
        reason: str | None = None,
        request: Request | None = None,
    ) -> Account:
        """A disabled account may sign in again; its earlier tokens stay revoked. A
        `request` (idempotency key) stored before changes nothing."""
        return self._set_flag(name, "AccountEnabled", by, reason, request)

    def set_admin(
        self, name: str, admin: bool, by: str = SYSTEM, reason: str | None = None
    ) -> Account:
        """Grants or revokes admin; revoking revokes the account's tokens, and is refused
        for the last enabled admin."""
        return self._set_flag(name, "AdminGranted" if admin else "AdminRevoked", by, reason)

    def _set_flag(
        self, name: str, kind: str, by: str, reason: str | None, request: Request | None = None
    ) -> Account:
        """The flag `kind` sets (domain/directory.py FLAGS), recorded as that event; if
        it is set already, or `request` was stored before, nothing changes and nothing is
        recorded."""
        flag, value = FLAGS[kind]
        _reason(reason)

        def change(connection: Connection) -> None:
            if _stored_before(connection, request):
                return
            row = connection.execute(
                select(accounts.c.admin, accounts.c.disabled).where(accounts.c.name == name)
            ).first()
            if row is None:
                raise _no_account(name)
            admin, disabled = bool(row.admin), bool(row.disabled)
            if {"admin": admin, "disabled": disabled}[flag] == value:
                return
            if kind in ("AccountDisabled", "AdminRevoked") and admin and not disabled:
                _keep_an_admin(connection, name)
            values: dict[str, Any] = {flag: value}
            if kind in REVOKING:
                values["sessions"] = accounts.c.sessions + 1
            connection.execute(update(accounts).where(accounts.c.name == name).values(**values))
            keyed = {} if request is None else {"request": request}
            _record(connection, kind, by, reason, {"account": name, **keyed})

        self._write(change)
        return self._get_or_fail(name)

    def bind(
        self, name: str, cycle: str, actor: str, by: str = SYSTEM, reason: str | None = None
    ) -> Account:
        """The account acts as `actor` in `cycle` (replacing an earlier actor there).
        Binding what is bound already changes nothing and records nothing."""
        _reason(reason)

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
        _reason(reason)

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
                each.name: Holder(each.admin, dict(each.actors), each.disabled)
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
        """The enabled account if the password is right, else None; an unknown or
        disabled name costs the same time. A name no account can have, or a password
        no account can hold, is refused at once: no query, no hashing."""
        if not _possible(name, password):
            return None
        with self.engine.connect() as connection:
            found = connection.execute(
                select(accounts.c.password_hash, accounts.c.sessions).where(accounts.c.name == name)
            ).first()
        if found is None:
            self._verify(self._dummy_hash(), password)
            return None
        stored: str = found.password_hash
        if not self._verify(stored, password):
            return None
        if self.hasher.check_needs_rehash(stored):
            # the same password under newer parameters: no directory event, no revocation
            rehashed = self._hash(password)
            with self.engine.begin() as connection:
                connection.execute(
                    update(accounts)
                    .where((accounts.c.name == name) & (accounts.c.password_hash == stored))
                    .values(password_hash=rehashed)
                )
            self._recent.clear()
        account = self.get(name)
        if account is None or account.disabled or account.sessions != found.sessions:
            return None  # disabled, or its password changed since it was read
        return account

    # ---- helpers ------------------------------------------------------------------

    def _hash(self, password: str) -> str:
        if not isinstance(password, str) or not password:
            raise DomainError("invalid_value", "the password must not be empty")
        with self._hashing:
            return self.hasher.hash(password)

    def _dummy_hash(self) -> str:
        """What an unknown name's password is checked against, so that it costs the same."""
        if self._dummy is None:
            self._dummy = self._hash(secrets.token_hex(8))
        return self._dummy

    def _verify(self, stored: str, password: str) -> bool:
        with self._hashing:
            try:
                return self.hasher.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return False

    def _matches(self, name: str, password: str) -> bool:
        """`password` is the account's password now (`not_found` for no account)."""
        with self.engine.connect() as connection:
            stored = connection.execute(
                select(accounts.c.password_hash).where(accounts.c.name == name)
            ).scalar()
        if stored is None:
            raise _no_account(name)
        return _possible(name, password) and self._verify(stored, password)

    def _write(self, change: Callable[[Connection], T]) -> T:
        """`change` in one transaction, tried again if another writer took the event
        position it meant to use."""
        for _ in range(ATTEMPTS):
            try:
                with self.engine.begin() as connection:
                    # Directory writers take turns until commit: positions never collide,
                    # and what a change reads first (an idempotency key, an account) is
                    # what the writers before it committed.
                    if connection.dialect.name == "postgresql":
                        connection.execute(select(func.pg_advisory_xact_lock(DIRECTORY_LOCK)))
                    else:  # SQLite: a write takes the database's write lock at once
                        connection.execute(update(accounts).where(false()).values(admin=false()))
                    return change(connection)
            except _Collision:
                continue
            finally:
                self._recent.clear()
        raise DomainError("conflict", "the account directory kept changing; try again")

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
            accounts.c.name,
            accounts.c.admin,
            accounts.c.disabled,
            accounts.c.sessions,
            account_actors.c.cycle,
            account_actors.c.actor,
        ).select_from(accounts.outerjoin(account_actors))
        if condition is not None:
            query = query.where(condition)
        found: dict[str, Account] = {}
        rows = connection.execute(query.order_by(accounts.c.name))
        for name, admin, disabled, sessions, cycle, actor in rows:
            if name not in found:
                found[name] = Account(name, bool(admin), {}, bool(disabled), int(sessions))
            account = found[name]
            if cycle is not None:
                account.actors[cycle] = actor
        return list(found.values())


class _Collision(Exception):
    """Another writer recorded a directory event at the same position first."""


def _record(
    connection: Connection,
    event: str,
    by: str,
    reason: str | None,
    data: dict[str, Any],
    first: bool = False,
) -> None:
    """The directory event, appended after the last one, in `connection`'s transaction;
    with `first`, only as the first event (else `_Collision`: tried again)."""
    last = connection.execute(
        select(account_events.c.position, account_events.c.chain)
        .order_by(account_events.c.position.desc())
        .limit(1)
    ).first()
    if first and last:
        raise _Collision
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


def _stored_before(connection: Connection, request: Request | None) -> bool:
    """A directory event carries the request's idempotency key: it was stored before
    (a `conflict` if for another request). The directory is small, and only events of
    keyed requests are read; directory writers take turns, so no other writer stores
    the key meanwhile (on SQLite, its position would collide: tried again)."""
    if request is None:
        return False
    rows = connection.execute(
        select(account_events.c.data).where(account_events.c.data.contains('"request":'))
    )
    for (stored,) in rows:
        earlier = _data(stored).get("request")
        if isinstance(earlier, dict) and earlier.get("key") == request["key"]:
            return is_repeat(request, earlier.get("digest"))
    return False


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


def _keep_an_admin(connection: Connection, name: str) -> None:
    """Refuses to leave the directory without an enabled admin (no one could manage it)."""
    others = connection.execute(
        select(func.count())
        .select_from(accounts)
        .where(accounts.c.admin & ~accounts.c.disabled & (accounts.c.name != name))
    ).scalar()
    if not others:
        raise DomainError(
            "conflict", f"account {name} is the last enabled admin; make another admin first"
        )


def _reason(reason: str | None) -> str | None:
    """A reason within the limits of free text (SPEC §5), checked even when the change
    turns out to change nothing."""
    return None if reason is None else checked_text(reason, "reason", FREE)


def _password_reason(name: str, password: str, reason: str | None, exempt: bool) -> str | None:
    """The event's reason once `password` is checked: for an exempt (demo) account it
    says the rules were not applied."""
    if not exempt:
        check_password(name, password)
        return reason
    if not isinstance(password, str) or not hashable(password):
        raise DomainError("invalid_value", "the password must not hold control characters")
    return f"{reason}: {EXEMPT}" if reason else EXEMPT


def _possible(name: str, password: str) -> bool:
    """Some account could have this name and this password (see `authenticate`). Older
    passwords may break today's rules; only what cannot be hashed is excluded."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        return False
    if not isinstance(password, str) or len(password) > LONGEST_PASSWORD:
        return False
    return not any(0xD800 <= ord(char) <= 0xDFFF for char in password)


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise DomainError(
            "invalid_value",
            f"account name {name!r}: 1 to 64 letters, digits, '.', '_', '@' or '-'",
        )


def _no_account(name: str) -> DomainError:
    return DomainError("not_found", f"no account {name!r}")
