"""Runtime settings of the entry points (worker, starter, dev stack), read from `MND_*` variables.

Only entry points read settings; workflows and activities receive what they need. Nothing is
built at import time: call `get_settings()`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mnd.domain.fields import address_list
from mnd.domain.profile import ProcessProfile, fast_profile
from mnd.domain.roles import DEFAULT_MAILBOXES, Role
from mnd.mail.message import DEFAULT_SENDER

ProfileName = Literal["seed", "fast"]
DEV_SECRET = "dev-insecure-secret-change-me"
# Outside development; `secrets.token_urlsafe(32)` (32 random bytes) gives 43 characters.
MIN_SECRET_CHARS = 32


_LOCAL_BINDS = {"127.0.0.1", "0.0.0.0", "::", "::1", "localhost", ""}


class Settings(BaseSettings):
    """Every knob of the local stack; each field reads `MND_<FIELD>` (e.g. `MND_TASK_QUEUE`)."""

    model_config = SettingsConfigDict(env_prefix="MND_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    secret_key: str = Field(
        default=DEV_SECRET,
        description="Signs the client's approval links; must be set outside development",
    )
    public_url: str = Field(
        default="",
        description="Base URL of the API, used in emailed links; unset: the API's host and port",
    )
    approval_link_ttl_hours: int = Field(default=72, ge=1)
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    task_queue: str = "mnd-sales"
    data_dir: Path = Field(default=Path("var"), description="Outbox, records and dev database")
    profile: ProfileName = Field(default="seed", description="Process profile of new sales")
    mail_sender: str = DEFAULT_SENDER
    # One variable per role, comma-separated addresses: MND_MAILBOX_PROVISIONING=a@x.co,b@x.co.
    # Unset keeps the seed's mailbox (mnd.domain.roles.DEFAULT_MAILBOXES).
    mailbox_data_mining: str | None = None
    mailbox_provisioning: str | None = None
    mailbox_commercial_support: str | None = None
    mailbox_production: str | None = None
    mailbox_ally: str | None = None
    mailbox_supervisor: str | None = None
    activity_threads: int = Field(default=8, ge=1, description="Threads for the sync activities")
    # 250, not the SDK's 1000: a cached sale costs the worker about 0.4 MB, and with 10,000
    # sales waiting a worker stays near 250 MB instead of 530 MB (benchmarks/open_sales.py).
    # A sale is touched a few times a day at most; the one that is not cached replays its
    # history (tens of ms) on its next task, which the staff action's latency hardly shows.
    workflow_cache_size: int = Field(
        default=250,
        ge=0,
        description="Sales kept in worker memory between tasks (the SDK's sticky cache)",
    )
    reconcile_every_seconds: float = Field(
        default=300,
        ge=0,
        description="How often a worker closes the records of runs terminated outside the "
        "sale (mnd/reconcile.py); 0 turns the sweep off",
    )
    console_session_idle_minutes: int = Field(
        default=60,
        ge=1,
        description="A console session unused this long ends; the member signs in again",
    )
    console_session_max_hours: int = Field(
        default=12, ge=1, description="A console session ends this long after sign-in, used or not"
    )
    dev_server_port: int = 7233
    ui_port: int = 8233
    dev_db_file: Path | None = Field(
        default=None, description="Dev server SQLite file; default <data_dir>/temporal.db"
    )
    metrics_bind: str | None = Field(
        default="127.0.0.1:9464",
        description="host:port of the worker's Prometheus endpoint; empty turns it off",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the records; default sqlite:///<data_dir>/mnd.sqlite3. "
        "Production: postgresql+psycopg://user:password@host:5432/mnd",
    )
    db_auto_migrate: bool = Field(
        default=True, description="Run `alembic upgrade head` when the worker or a tool starts"
    )
    smtp_host: str | None = Field(
        default=None, description="Unset: messages stay in the outbox table (no delivery)"
    )
    smtp_port: int = 25
    smtp_security: Literal["none", "starttls", "ssl"] = "none"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: float = 30.0

    @model_validator(mode="after")
    def _public_url_follows_the_api(self) -> Settings:
        # Unset, the emailed links point where this API listens (MND_API_PORT=28000 included);
        # a wildcard or loopback bind is reached as localhost.
        if not self.public_url:
            host = "localhost" if self.api_host in _LOCAL_BINDS else self.api_host
            host = f"[{host}]" if ":" in host else host
            self.public_url = f"http://{host}:{self.api_port}"
        return self

    @model_validator(mode="after")
    def _no_placeholder_secret(self) -> Settings:
        if self.environment == "development":
            return self
        if self.secret_key == DEV_SECRET:
            raise ValueError("MND_SECRET_KEY debe configurarse fuera de desarrollo")
        # A short key can be guessed offline from one approval link, and with it any link forged.
        if len(self.secret_key.strip()) < MIN_SECRET_CHARS:
            raise ValueError(
                f"MND_SECRET_KEY debe tener al menos {MIN_SECRET_CHARS} caracteres fuera de "
                "desarrollo (por ejemplo: python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')"
            )
        return self

    @field_validator(
        "mailbox_data_mining",
        "mailbox_provisioning",
        "mailbox_commercial_support",
        "mailbox_production",
        "mailbox_ally",
        "mailbox_supervisor",
    )
    @classmethod
    def _addresses(cls, value: str | None) -> str | None:
        # Empty is unset (compose's `${VAR:-}`); a value with no address in it is a mistake that
        # would leave the area without mail.
        if value is None or not value.strip():
            return None
        address_list(value)  # its ValueError names the bad address, in Spanish
        return value

    def mailboxes(self) -> dict[Role, list[str]]:
        """The seed's mailboxes with the configured overrides applied."""
        boxes = {role: list(addresses) for role, addresses in DEFAULT_MAILBOXES.items()}
        for role in boxes:
            override = getattr(self, f"mailbox_{role.value}", None)
            if override:
                boxes[role] = address_list(override)
        return boxes

    def process_profile(self, name: ProfileName | None = None) -> ProcessProfile:
        """The profile a new sale carries: the seed's durations, or seconds for demos."""
        return fast_profile() if (name or self.profile) == "fast" else ProcessProfile()

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def db_url(self) -> str:
        """The records database: the configured URL, or the embedded SQLite file."""
        return self.database_url or f"sqlite:///{self.data_dir / 'mnd.sqlite3'}"

    @property
    def dev_db_path(self) -> Path:
        return self.dev_db_file or self.data_dir / "temporal.db"


def get_settings() -> Settings:
    """Reads the environment now; not cached, so tests can change variables between calls."""
    return Settings()
