"""Failures as notify sorts them: an outage that a later try outlasts, or a fault of the work.

An outage (the database, Redis, the Celery queue or a service notify calls is away) is
no fault of the event or job at hand: it is retried until things are back. Anything else
is the work's own fault (its data, or a bug it runs into): retried a few times at most,
then set aside with `describe(exc)` as its error, so that one bad event or job never
holds up the others.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from kombu.exceptions import OperationalError as QueueUnavailable
from redis.exceptions import RedisError
from sqlalchemy.exc import InterfaceError, OperationalError

from services.notify.directory import Unavailable
from shared.config import REPO_ROOT
from shared.validation import NOT_IN_TEXT

DATABASE_OUTAGES = (OperationalError, InterfaceError)
QUEUE_OUTAGES = (RedisError, QueueUnavailable, OSError)  # Redis: the stream and the queue
OUTAGES = (Unavailable, *DATABASE_OUTAGES, *QUEUE_OUTAGES)


def storable(text: str, limit: int = 2000) -> str:
    """text with what a column or a log line cannot take written as a \\x.. escape, cut to
    limit: what the APIs refuse in a text (NUL above all, which PostgreSQL refuses, and
    lone surrogates, which cannot be encoded)."""
    return NOT_IN_TEXT.sub(lambda m: ascii(m.group())[1:-1], text[:limit])[:limit]


def describe(exc: BaseException) -> str:
    """One line: the exception and where in notify it was raised, e.g.
    `OverflowError: date value out of range (services/notify/scheduling.py:53 plan_action)`."""
    text = " ".join(str(exc).split())
    message = storable(f"{type(exc).__name__}: {text}" if text else type(exc).__name__, 1500)
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__)
              if Path(frame.filename).is_relative_to(REPO_ROOT / "services")]
    if not frames:
        return message
    where = frames[-1]
    return f"{message} ({Path(where.filename).relative_to(REPO_ROOT)}:{where.lineno} {where.name})"
