"""The web service's settings: the shared ones, how people sign in, and the session secret."""

from __future__ import annotations

import os
from dataclasses import dataclass

from shared.config import Settings, load_settings

DEV_SECRET_KEY = "lederdialog-web-development-key-change-me"  # noqa: S105 - documented dev default


@dataclass(frozen=True)
class SignIn:
    """Either OpenID Connect (production) or the development sign-in, never both."""

    dev: bool = False
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scope: str = "openid profile email"


@dataclass(frozen=True)
class WebSettings:
    base: Settings
    sign_in: SignIn
    secret_key: str
    api_timeout_seconds: float = 5.0

    @property
    def secure_cookies(self) -> bool:
        return self.base.public_base_url.startswith("https://")


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def load_web_settings(environ: dict[str, str] | None = None, **base_overrides) -> WebSettings:
    """Read the web settings; refuse a development sign-in where tokens are RS256 (production)."""
    env = os.environ if environ is None else environ
    base = load_settings("web", env, **base_overrides)
    sign_in = SignIn(
        dev=_flag(env.get("WEB_DEV_SIGN_IN")),
        oidc_issuer=(env.get("OIDC_ISSUER") or "").rstrip("/") or None,
        oidc_client_id=env.get("OIDC_CLIENT_ID") or None,
        oidc_client_secret=env.get("OIDC_CLIENT_SECRET") or None,
        oidc_scope=env.get("OIDC_SCOPE", SignIn.oidc_scope),
    )
    check_sign_in(sign_in, base)
    secret_key = env.get("WEB_SECRET_KEY") or (DEV_SECRET_KEY if sign_in.dev else "")
    if not secret_key:
        raise ValueError("WEB_SECRET_KEY is required (it signs the forms' CSRF tokens)")
    return WebSettings(
        base=base, sign_in=sign_in, secret_key=secret_key,
        api_timeout_seconds=float(env.get("WEB_API_TIMEOUT_SECONDS", "5")),
    )


def check_sign_in(sign_in: SignIn, base: Settings) -> None:
    """One way to sign in, and the development one only with development tokens."""
    if sign_in.dev:
        if base.jwt.algorithm != "HS256":
            raise ValueError(
                "WEB_DEV_SIGN_IN is for development only and is refused with "
                f"JWT_ALGORITHM={base.jwt.algorithm}"
            )
        if sign_in.oidc_issuer:
            raise ValueError("set either WEB_DEV_SIGN_IN or OIDC_ISSUER, not both")
        return
    missing = [name for name, value in (
        ("OIDC_ISSUER", sign_in.oidc_issuer), ("OIDC_CLIENT_ID", sign_in.oidc_client_id),
        ("OIDC_CLIENT_SECRET", sign_in.oidc_client_secret),
    ) if not value]
    if missing:
        raise ValueError(
            f"signing in needs {', '.join(missing)} (or WEB_DEV_SIGN_IN=true in development)"
        )
