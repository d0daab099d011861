"""Settings read from the environment, with embedded defaults for development."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LEDERDIALOG_VAR_DIR", REPO_ROOT / "var"))

DEV_JWT_SECRET = "lederdialog-development-secret-change-me"  # noqa: S105 - documented dev default


@dataclass(frozen=True)
class JWTSettings:
    algorithm: str = "HS256"
    secret: str = DEV_JWT_SECRET
    audience: str = "lederdialog"
    issuer: str = "lederdialog-dev"
    jwks_url: str | None = None
    leeway_seconds: int = 30


@dataclass(frozen=True)
class Settings:
    service: str
    database_url: str
    redis_url: str = "redis://127.0.0.1:6379/0"
    event_stream: str = "lederdialog.events"
    jwt: JWTSettings = JWTSettings()
    log_level: str = "INFO"
    public_base_url: str = "http://localhost:8000"
    content_url: str = "http://127.0.0.1:8001"
    assessment_url: str = "http://127.0.0.1:8002"
    relay_poll_seconds: float = 0.5
    relay_batch_size: int = 100


def default_database_url(service: str) -> str:
    return f"sqlite:///{VAR_DIR / f'{service}.db'}"


def load_settings(service: str, environ: dict[str, str] | None = None, **overrides) -> Settings:
    """Build a service's settings from the environment; keyword overrides win (tests)."""
    env = os.environ if environ is None else environ
    jwt = JWTSettings(
        algorithm=env.get("JWT_ALGORITHM", JWTSettings.algorithm),
        secret=env.get("JWT_SECRET", JWTSettings.secret),
        audience=env.get("JWT_AUDIENCE", JWTSettings.audience),
        issuer=env.get("JWT_ISSUER", JWTSettings.issuer),
        jwks_url=env.get("JWT_JWKS_URL") or None,
        leeway_seconds=int(env.get("JWT_LEEWAY_SECONDS", JWTSettings.leeway_seconds)),
    )
    values = {
        "service": service,
        "database_url": env.get("DATABASE_URL") or default_database_url(service),
        "redis_url": env.get("REDIS_URL", Settings.redis_url),
        "event_stream": env.get("EVENT_STREAM", Settings.event_stream),
        "jwt": jwt,
        "log_level": env.get("LOG_LEVEL", Settings.log_level).upper(),
        "public_base_url": env.get("PUBLIC_BASE_URL", Settings.public_base_url).rstrip("/"),
        "content_url": env.get("CONTENT_URL", Settings.content_url).rstrip("/"),
        "assessment_url": env.get("ASSESSMENT_URL", Settings.assessment_url).rstrip("/"),
        "relay_poll_seconds": float(env.get("RELAY_POLL_SECONDS", Settings.relay_poll_seconds)),
        "relay_batch_size": int(env.get("RELAY_BATCH_SIZE", Settings.relay_batch_size)),
    }
    values.update(overrides)
    return Settings(**values)
