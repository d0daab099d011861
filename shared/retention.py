"""How long each kind of record is kept (docs/privacy.md, "Retention"), in one place.

Every service's `retention` command reads its periods from here, and so does notify for
its email log and the event stream. A period is a whole number of days; 0 keeps the
records for good. A value that is not understood stops the service when it starts, as a
rate limit does (shared/config.py), rather than keeping or removing the wrong things.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import InstrumentedAttribute, sessionmaker

# A century: a longer period is a typing mistake, and would overflow the dates.
MAX_DAYS = 36_525
# A dialogue may be recorded, or its day amended, up to five years after it was held
# (services/assessment/schemas/dialogues.py HELD_YEARS_BACK). Dialogues are deleted by
# whole quarters so that a quarter's insight figures outlive them unchanged; a dialogue
# recorded into a quarter already deleted would have that quarter summed up again from it
# alone. More than five years (1,827 days with their leap days) rules that out.
MIN_DIALOGUE_DAYS = 1_830
DAYS = re.compile(r"[0-9]{1,6}")
BATCH_SIZE = 1_000  # rows removed per transaction: no removal holds its locks for long


@dataclass(frozen=True)
class Retention:
    """Days each kind of record is kept (0: for good); see docs/privacy.md."""

    # The texts of a dialogue (answers, strengths, development areas, action titles and
    # reflections), counted from the day it was held.
    dialogue_text_days: int = 1_826
    # The dialogue itself: its facts, participants, ratings and actions (the insight
    # figures summed from it stay).
    dialogue_days: int = 3_653
    action_history_days: int = 1_826
    read_log_days: int = 730
    # Outbox rows once they are on the stream.
    outbox_days: int = 30
    # notify's email log (deliveries), and the event stream's entries.
    email_log_days: int = 365
    stream_days: int = 30


VARIABLES = {
    "dialogue_text_days": "RETENTION_DIALOGUE_TEXT_DAYS",
    "dialogue_days": "RETENTION_DIALOGUE_DAYS",
    "action_history_days": "RETENTION_ACTION_HISTORY_DAYS",
    "read_log_days": "RETENTION_READ_LOG_DAYS",
    "outbox_days": "RETENTION_OUTBOX_DAYS",
    "email_log_days": "RETENTION_EMAIL_LOG_DAYS",
    "stream_days": "RETENTION_STREAM_DAYS",
}


def load_retention(environ: Mapping[str, str] | None = None) -> Retention:
    """The periods from the environment (RETENTION_*_DAYS), checked; ValueError names the
    variable that is wrong and why."""
    env = os.environ if environ is None else environ
    days = {}
    for field in fields(Retention):
        name = VARIABLES[field.name]
        value = env.get(name, str(field.default)).strip()
        if not DAYS.fullmatch(value) or int(value) > MAX_DAYS:
            raise ValueError(f"{name} must be a number of days from 0 (keep for good) "
                             f"to {MAX_DAYS}, not {value!r}")
        days[field.name] = int(value)
    retention = Retention(**days)
    if 0 < retention.dialogue_days < MIN_DIALOGUE_DAYS:
        raise ValueError(
            f"RETENTION_DIALOGUE_DAYS must be 0 (keep for good) or at least "
            f"{MIN_DIALOGUE_DAYS}: a dialogue may be recorded up to five years after it was "
            f"held, not {retention.dialogue_days}")
    if 0 < retention.dialogue_days < retention.dialogue_text_days:
        raise ValueError(
            "RETENTION_DIALOGUE_TEXT_DAYS must not be longer than RETENTION_DIALOGUE_DAYS "
            f"({retention.dialogue_text_days} > {retention.dialogue_days}): deleting a "
            "dialogue deletes its texts")
    return retention


def cutoff(now: datetime, days: int) -> datetime | None:
    """The moment before which records `days` old are removed; None when kept for good."""
    return now - timedelta(days=days) if days else None


def delete_in_batches(
    sessions: sessionmaker, key: InstrumentedAttribute, *where: ColumnElement[bool],
    batch_size: int = BATCH_SIZE,
) -> int:
    """Delete the rows of `key`'s table matching `where`, a batch per transaction, by
    their key; returns how many. Each batch is committed, so a run that stops half way
    leaves nothing locked, and the next run takes up the rest."""
    table = key.class_
    removed = 0
    while True:
        with sessions() as session, session.begin():
            keys = list(session.scalars(select(key).where(*where).order_by(key)
                                        .limit(batch_size)))
            if keys:
                session.execute(delete(table).where(key.in_(keys)))
        removed += len(keys)
        if len(keys) < batch_size:
            return removed
