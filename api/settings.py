"""Every setting of the HTTP API, from the environment (prefix ``ASSESS_``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """``ASSESS_DB``, ``ASSESS_SECRET``, ``ASSESS_TOKEN_HOURS``… (see each field)."""

    model_config = SettingsConfigDict(env_prefix="ASSESS_", extra="ignore")

    db: str | None = Field(
        None, description="Event store URL (sqlite:///path or postgresql://…); the CLI default."
    )
    secret: SecretStr | None = Field(
        None,
        description="Token signing key. Unset: one is made and kept in the database, "
        "so that every worker on that database agrees.",
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
    admin_password: SecretStr | None = Field(
        None, description="Creates the account `admin` at start if no account exists yet."
    )
    argon2_time_cost: int = Field(3, ge=1, description="argon2id iterations for new hashes.")
    argon2_memory_kib: int = Field(65536, ge=8, description="argon2id memory for new hashes.")
    host: str = Field("127.0.0.1", description="Address `assess serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `assess serve` listens on.")
