"""Static files: served by WhiteNoise with far-future caching, each URL changing with its file.

Our own files' URLs carry a hash of their content (`?v=`). The design system is served
under a path with its version in it (`/static/dkfds/11.2.0/...`), because its stylesheet
names its fonts and icons by relative paths that cannot carry a hash.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from whitenoise import WhiteNoise

STATIC = Path(__file__).parent / "static"
DKFDS = STATIC / "dkfds"
DKFDS_VERSION = (DKFDS / "VERSION").read_text().strip()
MAX_AGE_SECONDS = 365 * 24 * 3600


def serve_static(wsgi_app):
    """Wrap a WSGI app so /static/ is answered by WhiteNoise (compressed where it can)."""
    static = WhiteNoise(wsgi_app, max_age=MAX_AGE_SECONDS)
    static.add_files(DKFDS, prefix=f"static/dkfds/{DKFDS_VERSION}/")
    static.add_files(STATIC, prefix="static/")
    return static


@cache
def _version(filename: str) -> str:
    return hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:12]


def static_url(filename: str) -> str:
    """The URL of a static file, one that changes when the file does."""
    if filename.startswith("dkfds/"):
        return f"/static/dkfds/{DKFDS_VERSION}/{filename.removeprefix('dkfds/')}"
    return f"/static/{filename}?v={_version(filename)}"
