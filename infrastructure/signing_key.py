"""Where the token signing key comes from (SPEC §4.1): never the event database.

* ``ASSESS_SECRET`` (at least 32 bytes) — every worker of a deployment shares it;
* else, for the embedded default only, a key file beside the SQLite file
  (``assess.db`` → ``assess.db.key``), created once with mode 0600; a key file that
  others may read, or that is too short, is refused rather than trusted;
* else (PostgreSQL without ``ASSESS_SECRET``) only a demo may run, with a key made
  for this process alone: its tokens end with the process.

Anyone who can read the key can mint tokens for any account, which is why it is kept
apart from the data that people with read access to the database (auditors, backups)
can see.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from assess.infrastructure.persistence import sqlite_path

__all__ = ["MIN_KEY_BYTES", "KeyRefused", "SigningKey", "key_file_of", "signing_key"]

MIN_KEY_BYTES = 32
KEY_FILE_SUFFIX = ".key"


class KeyRefused(Exception):
    """No usable signing key: the server must not start. The message says what to do."""


@dataclass(frozen=True)
class SigningKey:
    secret: str
    source: str  # shown at start: where the key came from (never the key itself)


def key_file_of(url: str) -> Path | None:
    """The key file beside a SQLite database file; None for PostgreSQL or memory."""
    path = sqlite_path(url)
    return Path(path + KEY_FILE_SUFFIX) if path else None


def signing_key(url: str, secret: str | None, demo: bool = False) -> SigningKey:
    """The key for the database at `url`, given ``ASSESS_SECRET`` (`secret`, else None)."""
    if secret is not None:
        if len(secret.encode()) < MIN_KEY_BYTES:
            raise KeyRefused(f"ASSESS_SECRET must be at least {MIN_KEY_BYTES} bytes long")
        return SigningKey(secret, "ASSESS_SECRET")
    key_file = key_file_of(url)
    if key_file is not None:
        return SigningKey(_read_or_make(key_file), f"key file {key_file}")
    if url.startswith("sqlite"):  # a database in memory lives as long as the process
        return SigningKey(secrets.token_urlsafe(48), "a key of this process")
    if demo:
        return SigningKey(secrets.token_urlsafe(48), "a key of this process (demo)")
    raise KeyRefused(
        "on PostgreSQL the server needs ASSESS_SECRET (at least 32 random bytes, shared by "
        "every worker), e.g. ASSESS_SECRET=$(python -c 'import secrets; print(secrets."
        "token_urlsafe(48))')"
    )


def _read_or_make(key_file: Path) -> str:
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under another name, then linked: a worker starting at the same
        # time finds either no file or the complete one, and only one link wins.
        draft = key_file.with_name(f"{key_file.name}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(48) + "\n")
            os.link(draft, key_file)
        except FileExistsError:
            pass  # another worker made it first: use theirs
        finally:
            draft.unlink()
    return _read(key_file)


def _read(key_file: Path) -> str:
    mode = stat.S_IMODE(key_file.stat().st_mode)
    if mode & 0o077:  # group or others may read or write it
        raise KeyRefused(
            f"key file {key_file} may be read by others (mode {mode:o}); run: chmod 600 {key_file}"
        )
    key = key_file.read_text(encoding="utf-8").strip()
    if len(key.encode()) < MIN_KEY_BYTES:
        raise KeyRefused(
            f"key file {key_file} holds fewer than {MIN_KEY_BYTES} bytes; delete it to make "
            "a new one (every token signed with the old key ends)"
        )
    return key
