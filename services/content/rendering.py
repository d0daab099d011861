"""Localized framework bodies, rendered once per published version and language.

Published versions never change, so their rendered bodies are kept for good.
Which version is current is looked up at most every `current_ttl` seconds per
process; a publish in this process forgets it at once, other processes see it
within the TTL (the same time the Cache-Control header lets clients keep it).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

from services.content.document import localize
from services.content.models import PUBLISHED, FrameworkVersion


def framework_view(version: FrameworkVersion, lang: str) -> dict:
    """The whole framework of one version in one language, as the API returns it."""
    return {
        "version": {
            "id": version.id,
            "status": version.status,
            "published_at": version.published_at.isoformat() if version.published_at else None,
        },
        "lang": lang,
        **localize(version.document, lang),
    }


def etag_for(version_id: int, lang: str) -> str:
    return f"v{version_id}-{lang}"


def caching_headers(*, lang: str, etag: str | None, max_age: int) -> list[tuple[str, str]]:
    """Headers of a framework answer: published versions are cacheable, drafts are not."""
    headers = [("Content-Language", lang), ("Vary", "Accept-Language")]
    if etag is None:
        headers.append(("Cache-Control", "no-store"))
    else:
        headers += [("ETag", f'"{etag}"'), ("Cache-Control", f"public, max-age={max_age}")]
    return headers


class PublishedCache:
    def __init__(self, current_ttl: float):
        self._ttl = current_ttl
        self._lock = threading.Lock()
        self._bodies: dict[tuple[int, str], bytes] = {}
        self._current: tuple[int | None, float] = (None, 0.0)

    def fresh_current_id(self) -> int | None:
        """The current version's id if it was looked up within the TTL, else None."""
        version_id, fetched = self._current
        if version_id is not None and time.monotonic() - fetched <= self._ttl:
            return version_id
        return None

    def current_id(self, load: Callable[[], int | None]) -> int | None:
        """The current version's id, looked up with `load` once the TTL has passed."""
        version_id = self.fresh_current_id()
        if version_id is None:
            now = time.monotonic()
            version_id = load()
            self._current = (version_id, now)
        return version_id

    def forget_current(self) -> None:
        self._current = (None, 0.0)

    def body(self, version: FrameworkVersion, lang: str) -> bytes:
        if version.status != PUBLISHED:
            return _encode(framework_view(version, lang))
        key = (version.id, lang)
        body = self._bodies.get(key)
        if body is None:
            body = _encode(framework_view(version, lang))
            with self._lock:
                self._bodies[key] = body
        return body

    def cached_body(self, version_id: int, lang: str) -> bytes | None:
        return self._bodies.get((version_id, lang))


def _encode(view: dict) -> bytes:
    return json.dumps(view, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
