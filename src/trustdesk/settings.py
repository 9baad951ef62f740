"""Typed settings, read once from ``TRUSTDESK_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_PLACEHOLDER_SECRET = "change-me-development-only"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    """All runtime configuration of trustdesk; one instance per process via ``get_settings()``."""

    model_config = SettingsConfigDict(env_prefix="TRUSTDESK_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    """Deployment kind; production refuses placeholder secrets."""

    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path.cwd() / 'trustdesk.db'}")
    """SQLAlchemy URL. Default: a SQLite file in the working directory. PostgreSQL: postgresql+psycopg://..."""

    demo_database_url: str = Field(default_factory=lambda: f"sqlite:///{Path.cwd() / 'trustdesk-demo.db'}")
    """Where ``trustdesk serve --demo`` keeps the demo: its own database, never ``database_url``."""

    secret_key: str = _PLACEHOLDER_SECRET
    """Signs session cookies and CSRF tokens."""

    redis_url: str = "redis://127.0.0.1:6379/0"
    """Redis used by the task queue when ``queue`` is ``redis``."""

    queue: Literal["inprocess", "redis"] = "inprocess"
    """Where background jobs run: in this process (embedded default) or on Dramatiq workers over Redis."""

    analysis_tier: Literal["fast", "accurate", "auto"] = "auto"
    """Which analysis model tier to use; ``auto``: accurate for jobs of up to 50,000 messages, fast beyond."""

    playbook_path: str | None = None
    """Playbook YAML used when a brand has none of its own; default: the shipped default playbook."""

    llm_url: str | None = None
    """Optional OpenAI-compatible endpoint that may rewrite drafts (never required)."""

    llm_key: str | None = None
    """API key for ``llm_url``."""

    llm_model: str = "gpt-4o-mini"
    """Model name sent to ``llm_url``."""

    cookie_secure: bool = False
    """Mark session cookies Secure (turn on behind HTTPS)."""

    trusted_proxies: str = "127.0.0.1,::1"
    """Comma-separated addresses (or ``*``) of reverse proxies whose X-Forwarded-For / -Proto headers are
    believed: the client's own address then keys the sign-in throttle and the logs. Empty: believe none."""

    web_threads: int = Field(default=24, ge=1, le=1000)
    """Requests one server process works on at once: the threadpool of the sync handlers, and the
    admission limit in front of the app (more requests wait in line, see ``web_queue_*``)."""

    web_queue_size: int = Field(default=200, ge=0)
    """Requests that may wait for a free slot per process; beyond that the server answers 503 at once."""

    web_queue_seconds: float = Field(default=5.0, gt=0)
    """Longest wait for a free slot; a request still waiting then gets 503 with Retry-After."""

    db_pool_size: int | None = Field(default=None, ge=1)
    """Database connections per process; default ``web_threads`` + 8 (SSE polls, background jobs),
    so a request never waits for a connection. On PostgreSQL mind ``workers × pool ≤ max_connections``."""

    db_pool_timeout: float = Field(default=10.0, gt=0)
    """Longest wait for a pooled connection before the request fails with 503 (never reached when the
    pool is sized to the threads)."""

    background_seconds: float = Field(default=30.0, gt=0)
    """How often the server's background round runs (outbox, SLA escalation, snooze wake-up, and in
    redis mode the re-queueing of messages whose analysis was lost)."""

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.env == "production" and self.secret_key == _PLACEHOLDER_SECRET:
            raise ValueError("TRUSTDESK_SECRET_KEY must be set to a real secret in production")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear with ``get_settings.cache_clear()``)."""
    return Settings()
