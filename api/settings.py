"""Every setting of the HTTP API, from the environment (prefix ``ASSESS_``)."""

from __future__ import annotations

import os

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from assess.infrastructure.connections import ENV, DbLimits


class Settings(BaseSettings):
    """``ASSESS_DB``, ``ASSESS_SECRET``, ``ASSESS_TOKEN_HOURS``… (see each field)."""

    model_config = SettingsConfigDict(env_prefix="ASSESS_", extra="ignore")

    db: str | None = Field(
        None, description="Event store URL (sqlite:///path or postgresql://…); the CLI default."
    )
    secret: SecretStr | None = Field(
        None,
        description="Token signing key, at least 32 bytes. Unset: on SQLite a key file made "
        "with mode 0600 beside the database; on PostgreSQL the server refuses to start "
        "(outside demo mode). Never kept in the database.",
    )
    token_hours: float = Field(8.0, gt=0, le=24 * 30, description="Lifetime of a bearer token.")
    cache_size: int = Field(16, ge=0, description="Cycles kept in memory per process.")
    read_staleness_ms: int = Field(
        200,
        ge=0,
        description="How long a worker reads a cached cycle without asking the database "
        "for newer events (what other workers wrote); its own writes show at once.",
    )
    account_cache_seconds: float = Field(
        5.0, ge=0, description="How long a worker trusts an account read from the database."
    )
    demo: bool = Field(False, description="Load the demo seasons and demo accounts at start.")
    views: bool = Field(
        True,
        description="Keep the read views current in a background thread (SPEC §8); off "
        "where a separate `assess views run --follow` does it.",
    )
    admin_password: SecretStr | None = Field(
        None, description="Creates the account `admin` at start if no account exists yet."
    )
    argon2_time_cost: int = Field(3, ge=1, description="argon2id iterations for new hashes.")
    argon2_memory_kib: int = Field(65536, ge=8, description="argon2id memory for new hashes.")
    max_body_mb: int = Field(
        16, ge=1, le=1024, description="Largest request body in MiB; a larger one is 413."
    )
    max_file_mb: int = Field(
        20,
        ge=1,
        le=1024,
        description="Largest evidence file in MiB (POST /cycles/{id}/files); a larger one is "
        "413. Up to 10 may be attached to one action.",
    )
    hash_concurrency: int = Field(
        max(1, (os.cpu_count() or 2) // 2),
        ge=1,
        description="Password hashes computed at once (each takes argon2_memory_kib).",
    )
    sign_in_queue: int = Field(
        32, ge=0, description="Sign-ins waiting for a hashing slot; more are answered 429."
    )
    sign_in_limit: int = Field(
        5, ge=1, description="Failed sign-ins for one name within the window before 429."
    )
    sign_in_window_minutes: float = Field(
        15, gt=0, description="The window of sign_in_limit, in minutes."
    )
    db_connect_timeout: float = Field(
        10, ge=0, description="Seconds to set up a PostgreSQL connection; 0: no limit."
    )
    db_statement_timeout: float = Field(
        60,
        ge=0,
        description="Seconds a PostgreSQL statement may run before the server cancels it "
        "(503); 0: no limit. The command line has none unless the variable is set.",
    )
    db_pool_timeout: float = Field(
        10, ge=0, description="Seconds a request waits for a free database connection (503)."
    )
    db_busy_timeout: float = Field(
        30, ge=0, description="Seconds a SQLite writer waits for another's lock (503)."
    )
    health_timeout: float = Field(
        2, gt=0, description="`/healthz` answers 503 if the database has not answered by then."
    )
    host: str = Field("127.0.0.1", description="Address `assess serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `assess serve` listens on.")

    def db_limits(self) -> DbLimits:
        """The `db_*_timeout` settings, as infrastructure/connections.py applies them."""
        return DbLimits.from_env(
            {name: str(getattr(self, f"db_{field}_timeout")) for field, name in ENV.items()}
        )
