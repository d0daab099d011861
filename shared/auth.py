"""Bearer JWT verification and minting, framework-free.

The algorithm is pinned by configuration and never read from the token.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass

import jwt
from cachetools import TLRUCache

from shared.config import JWTSettings

ROLES = frozenset({"hr_admin", "leader", "employee", "trio", "service"})
REQUIRED_CLAIMS = ["exp", "iat", "aud", "iss", "sub"]
# Tokens a process remembers as verified, each until it expires: a client sends the same
# token with every request, and checking its signature and claims each time is CPU spent
# for nothing (about 60 us a request for HS256; RS256 costs more).
REMEMBERED_TOKENS = 1024


class AuthError(Exception):
    """The token is missing, malformed, expired or not ours."""


@dataclass(frozen=True)
class Principal:
    sub: str
    roles: frozenset[str]

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class TokenVerifier:
    def __init__(self, settings: JWTSettings):
        if settings.algorithm not in {"HS256", "RS256"}:
            raise ValueError(f"JWT_ALGORITHM must be HS256 or RS256, not {settings.algorithm!r}")
        if settings.algorithm == "RS256" and not settings.jwks_url:
            raise ValueError("JWT_ALGORITHM=RS256 needs JWT_JWKS_URL")
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.algorithm == "RS256" else None
        self._verified: TLRUCache[str, _Verified] = TLRUCache(
            maxsize=REMEMBERED_TOKENS, ttu=_valid_until, timer=time.time
        )
        self._lock = threading.Lock()  # the cache is not thread-safe; gthread workers share it

    def _key(self, token: str):
        if self._jwks is None:
            return self._settings.secret
        try:
            return self._jwks.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientError as exc:
            raise AuthError(f"no signing key for this token: {exc}") from exc

    def verify(self, token: str) -> Principal:
        """Return the token's principal, or raise AuthError saying why not.

        A token verified before is taken as it was until it expires (with the leeway):
        once its signature, issuer, audience and start are good, only time changes that.
        """
        with self._lock:
            remembered = self._verified.get(token)
        if remembered is not None:
            return remembered.principal
        principal, expires_at = self._decode(token)
        with self._lock:
            self._verified[token] = _Verified(
                principal, expires_at + self._settings.leeway_seconds
            )
        return principal

    def _decode(self, token: str) -> tuple[Principal, float]:
        """The token's principal and expiry, checked from scratch."""
        try:
            claims = jwt.decode(
                token,
                self._key(token),
                algorithms=[self._settings.algorithm],
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_seconds,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as exc:
            raise AuthError(str(exc)) from exc
        # PyJWT takes an `exp` of digits in a string; the cache needs the number.
        if not isinstance(claims["exp"], int | float) or isinstance(claims["exp"], bool):
            raise AuthError("claim 'exp' must be a number")
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise AuthError("claim 'roles' must be a list of strings")
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            raise AuthError("claim 'sub' must be a non-empty string")
        return Principal(sub=claims["sub"], roles=frozenset(roles) & ROLES), claims["exp"]


@dataclass(frozen=True)
class _Verified:
    principal: Principal
    valid_until: float  # seconds since the epoch


def _valid_until(_token: str, verified: _Verified, _now: float) -> float:
    return verified.valid_until


def mint_token(
    settings: JWTSettings, *, sub: str, roles: list[str], ttl_seconds: int = 3600,
    now: float | None = None,
) -> str:
    """Mint an HS256 development token for the configured audience and issuer, issued at
    `now` (seconds since the epoch; default: the present)."""
    if settings.algorithm != "HS256":
        raise ValueError("development tokens are HS256; production tokens come from the IdP")
    unknown = set(roles) - ROLES
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}; known: {sorted(ROLES)}")
    now = int(time.time() if now is None else now)
    claims = {
        "sub": sub,
        "roles": roles,
        "aud": settings.audience,
        "iss": settings.issuer,
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.secret, algorithm="HS256")


class RenewedToken:
    """A service's development token that is minted again once half its life has passed:
    call it for a token valid now. A worker runs for weeks; a token minted once at start
    would be refused an hour later."""

    def __init__(self, settings: JWTSettings, *, sub: str, roles: list[str],
                 ttl_seconds: int = 3600, clock=None):
        self._mint = lambda now: mint_token(settings, sub=sub, roles=roles,
                                            ttl_seconds=ttl_seconds, now=now)
        self._renew_after = ttl_seconds / 2
        self._clock = clock or (lambda: time.time())
        self._lock = threading.Lock()
        self._token, self._minted_at = "", float("-inf")

    def __call__(self) -> str:
        now = self._clock()
        with self._lock:
            if now - self._minted_at >= self._renew_after:
                self._token, self._minted_at = self._mint(now), now
            return self._token
