"""Settings read from the environment, with embedded defaults for development."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from limits import parse_many

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
class RateLimits:
    """Requests one signed-in person, and one client address, may make (limits syntax).

    Many people share one address (a town hall behind one NAT address), so the address's
    limit is many times the person's.
    """

    per_person: str = "600/minute"
    per_address: str = "12000/minute"


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
    notify_url: str = "http://127.0.0.1:8003"
    relay_poll_seconds: float = 0.5
    relay_batch_size: int = 100
    trusted_proxies: int = 0
    rate_limits: RateLimits | None = RateLimits()  # None: no rate limits


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
        "notify_url": env.get("NOTIFY_URL", Settings.notify_url).rstrip("/"),
        "relay_poll_seconds": float(env.get("RELAY_POLL_SECONDS", Settings.relay_poll_seconds)),
        "relay_batch_size": int(env.get("RELAY_BATCH_SIZE", Settings.relay_batch_size)),
        "trusted_proxies": int(env.get("TRUSTED_PROXIES", Settings.trusted_proxies)),
        "rate_limits": load_rate_limits(env),
    }
    values.update(overrides)
    return Settings(**values)


_ON = {"1", "true", "yes", "on"}
_OFF = {"0", "false", "no", "off"}


def load_rate_limits(env) -> RateLimits | None:
    """RATE_LIMITS (on by default), RATE_LIMIT_PER_PERSON, RATE_LIMIT_PER_ADDRESS; a value
    that is not understood stops the service rather than leaving it unlimited."""
    switch = env.get("RATE_LIMITS", "on").strip().lower()
    if switch not in _ON | _OFF:
        raise ValueError(f"RATE_LIMITS must be on or off, not {switch!r}")
    if switch in _OFF:
        return None
    limits = {}
    for field, name in (("per_person", "RATE_LIMIT_PER_PERSON"),
                        ("per_address", "RATE_LIMIT_PER_ADDRESS")):
        value = env.get(name, getattr(RateLimits, field))
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                f"{name} must be a rate limit such as 600/minute, not {value!r}") from None
        limits[field] = value
    return RateLimits(**limits)
