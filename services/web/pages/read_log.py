"""The read log on the pages: who read a dialogue's texts, when, and through which channel.

A dialogue's leader sees it on the dialogue's page; everyone sees the reads of the dialogues
they led among their own data. The assessment API keeps the log and decides who may list it.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import format_date, format_time
from flask_babel import lazy_gettext as _l

from services.web import session
from services.web.apis import ApiError

CHANNELS = {
    "web": _l("The web pages"),
    "api": _l("The API"),
    "email": _l("An email"),
    "export": _l("A data export"),
}


def register(app: Flask) -> None:
    app.jinja_env.globals["CHANNELS"] = CHANNELS
    app.jinja_env.filters["moment"] = moment


def moment(value) -> str:
    """A point in time (or an ISO string) in Danish time, as the page's language writes it:
    '5. december 2026 14.03'."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{format_date(value, format='long')} {format_time(value, format='short')}"


def reads_of(dialogue_id: str) -> list[dict] | None:
    """The dialogue's reads, newest first, each with the reader's name where the leader may
    know it; None when the signed-in person may not list them (only the dialogue's leader
    may)."""
    try:
        return session.all_pages("assessment", f"/api/v1/dialogues/{dialogue_id}/reads")
    except ApiError as exc:
        if exc.status in (403, 404):
            return None
        raise


def newest_first(reads: list[dict]) -> list[dict]:
    """Reads as an export lists them (oldest first), the other way round."""
    return sorted(reads, key=lambda read: datetime.fromisoformat(read["read_at"]), reverse=True)
