"""Evidence files in the same database as the events (issue 15).

`files` holds each file's bytes once, keyed by the SHA-256 of its content (a PostgreSQL
`bytea`, stored out of line as a large value; a SQLite blob). `file_uploads` records who
uploaded which file to which cycle, under which name, and when: an action may name only
a file its account uploaded to its cycle, and an upload nobody attached yet is visible to
its uploader alone. Neither table is ever updated: a file is inserted once, and the same
bytes uploaded again only add an upload row (or nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    LargeBinary,
    MetaData,
    String,
    Table,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError

from assess.domain.attachments import Uploaded

metadata = MetaData()

files = Table(
    "files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("media_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("stored", DateTime(timezone=True), nullable=False),
)

uploads = Table(
    "file_uploads",
    metadata,
    Column("cycle", String(100), primary_key=True),
    Column("sha256", String(64), primary_key=True),
    Column("account", String(200), primary_key=True),
    Column("name", String(400), nullable=False),
    Column("uploaded", DateTime(timezone=True), nullable=False),
)


class SQLFileStore:
    """`application.files.FileStore` on the events' database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        for attempt in range(3):  # processes opening a new store at once may race
            try:
                metadata.create_all(engine, checkfirst=True)
                break
            except DatabaseError:
                if attempt == 2:
                    raise

    def _insert(self, table: Table) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table).on_conflict_do_nothing()

    def put(
        self, digest: str, media_type: str, content: bytes, cycle: str, account: str, name: str
    ) -> bool:
        """The file (unless stored already) and its upload, in one transaction; whether
        its bytes were new to the store."""
        now = datetime.now(UTC)
        with self.engine.begin() as c:
            new = c.execute(
                self._insert(files).values(
                    sha256=digest,
                    media_type=media_type,
                    size=len(content),
                    content=content,
                    stored=now,
                )
            ).rowcount
            c.execute(
                self._insert(uploads).values(
                    cycle=cycle, sha256=digest, account=account, name=name, uploaded=now
                )
            )
        return bool(new)

    def uploaded(self, cycle: str, account: str, digests: Iterable[str]) -> dict[str, Uploaded]:
        """Of `digests`, those `account` uploaded to `cycle`, with their size and type.
        Two lookups by primary key rather than a join, which PostgreSQL plans as a scan
        of `files` per upload row until the table is first analysed."""
        wanted = sorted(set(digests))
        if not wanted:
            return {}
        f, u = files.c, uploads.c
        with self.engine.connect() as c:
            theirs = c.execute(
                select(u.sha256).where(u.cycle == cycle, u.sha256.in_(wanted), u.account == account)
            ).scalars()
            found = sorted(set(theirs))
            if not found:
                return {}
            rows = c.execute(select(f.sha256, f.size, f.media_type).where(f.sha256.in_(found)))
            return {row.sha256: Uploaded(row.size, row.media_type) for row in rows}

    def uploads(self, cycle: str, account: str | None = None) -> list[dict[str, Any]]:
        """The uploads to `cycle` (of one account), oldest first."""
        f, u = files.c, uploads.c
        query = (
            select(u.sha256, u.name, u.account, u.uploaded, f.size, f.media_type)
            .join(files, f.sha256 == u.sha256)
            .where(u.cycle == cycle)
            .order_by(u.uploaded, u.sha256, u.account)
        )
        if account is not None:
            query = query.where(u.account == account)
        with self.engine.connect() as c:
            return [
                {
                    "sha256": row.sha256,
                    "name": row.name,
                    "media_type": row.media_type,
                    "size": row.size,
                    "account": row.account,
                    "uploaded": _utc(row.uploaded).isoformat(),
                }
                for row in c.execute(query)
            ]

    def read(self, digest: str) -> bytes | None:
        """The stored bytes of a file, or None."""
        with self.engine.connect() as c:
            content = c.execute(select(files.c.content).where(files.c.sha256 == digest)).scalar()
        return None if content is None else bytes(content)

    def read_many(self, digests: Iterable[str]) -> Iterator[tuple[str, bytes | None]]:
        """(digest, stored bytes or None) for each digest, in the order given, holding one
        file in memory at a time."""
        with self.engine.connect() as c:
            for digest in digests:
                query = select(files.c.content).where(files.c.sha256 == digest)
                content = c.execute(query).scalar()
                yield digest, None if content is None else bytes(content)


def _utc(moment: datetime) -> datetime:
    """SQLite gives back a naive moment: the UTC it stored."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
