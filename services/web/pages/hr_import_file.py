"""The organisation file between its preview and its import, and the import it is sent to.

A page without JavaScript can't send the file twice, so the file HR uploads is kept: in
Redis, beside the web's sessions (the client Flask-Session uses), under a random token, for
KEPT_SECONDS. Only the session that uploaded it knows the token (the session keeps the
last few), so the link is of no use to anyone else, and signing out leaves it to expire.
After the import, the file is dropped and the answer kept as long again, so the result can
be shown again.

The file goes to the assessment API's import (docs/org-import.md) as text/csv, with the
signed-in person's token like every call of the pages, and with a longer read timeout: the
import of a large municipality takes seconds, not the pages' usual fraction of one.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from flask import current_app
from flask import session as flask_session
from redis import Redis

from services.web import session

# The import's own limit (docs/org-import.md), and what a form adds to the file.
MAX_FILE_BYTES = 20 * 1024 * 1024
FORM_ALLOWANCE = 64 * 1024
KEPT_SECONDS = 30 * 60
KEY_PREFIX = "lederdialog:web:hr-import:"
SESSION_KEY = "hr_imports"  # the tokens of the session's uploads, newest last
KEPT_PER_SESSION = 5
# Connect, read: the import's answer may take as long as the API's worker is given (60 s).
IMPORT_TIMEOUT = (2.0, 60.0)


@dataclass(frozen=True)
class Kept:
    """An upload: the file (None once imported), its name, the choice of a whole import, the
    preview (the dry run's answer) and, once imported, the import's answer."""

    token: str
    file: bytes | None
    filename: str
    whole: bool
    preview: dict
    result: dict | None


def keep(csv: bytes, *, filename: str, whole: bool, preview: dict) -> str:
    """Keep the file and its preview for KEPT_SECONDS; the token of the session's new upload."""
    token = secrets.token_urlsafe(24)
    _store(token, {"file": csv, "filename": filename, "whole": int(whole),
                   "preview": json.dumps(preview)})
    tokens = flask_session.get(SESSION_KEY, [])[-(KEPT_PER_SESSION - 1):]
    flask_session[SESSION_KEY] = [*tokens, token]
    return token


def kept(token: str) -> Kept | None:
    """The session's upload under `token`, or None: expired, dropped, or not this session's."""
    if token not in flask_session.get(SESSION_KEY, []):
        return None
    found = _redis().hgetall(_key(token))
    if b"preview" not in found:
        return None
    result = found.get(b"result")
    return Kept(
        token=token, file=found.get(b"file"), filename=found[b"filename"].decode(),
        whole=found[b"whole"] == b"1", preview=json.loads(found[b"preview"]),
        result=json.loads(result) if result else None,
    )


def imported(kept: Kept, result: dict) -> None:
    """The file was imported: drop it, and keep the rest with the import's answer for
    KEPT_SECONDS more (whole again, in case the upload expired during the import)."""
    _store(kept.token, {"filename": kept.filename, "whole": int(kept.whole),
                        "preview": json.dumps(kept.preview), "result": json.dumps(result)})


def drop(token: str) -> None:
    """Forget the upload now (HR cancelled it)."""
    if token in flask_session.get(SESSION_KEY, []):
        _redis().delete(_key(token))
        flask_session[SESSION_KEY] = [t for t in flask_session[SESSION_KEY] if t != token]


def send(csv: bytes, *, whole: bool, dry_run: bool) -> dict:
    """POST the file to the assessment API's import as the signed-in person; its answer, or
    ApiError as any call of the pages raises it (503 when it can't be reached)."""
    return session.call(
        "assessment", "POST", "/api/v1/org/import", data=csv, content_type="text/csv",
        params={"whole": str(whole).lower(), "dry_run": str(dry_run).lower()},
        timeout=IMPORT_TIMEOUT,
    ).json()


def _store(token: str, fields: dict) -> None:
    """The upload's hash, exactly these fields, for KEPT_SECONDS from now."""
    with _redis().pipeline() as pipe:  # MULTI … EXEC: all of it or none
        pipe.delete(_key(token))
        pipe.hset(_key(token), mapping=fields)
        pipe.expire(_key(token), KEPT_SECONDS)
        pipe.execute()


def _key(token: str) -> str:
    return KEY_PREFIX + token


def _redis() -> Redis:
    return current_app.config["SESSION_REDIS"]


