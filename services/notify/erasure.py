"""What an erasure means for notify: the person is never mailed again, and the pseudonym the
assessment service gave them takes the place of their id in everything notify keeps.

Notify keeps of the former id only its digest (models.person_digest), with the pseudonym:
enough to know the id again when a job already queued or an event not yet handled names
it. Every step finds only rows that still name the former id, so a replay of the event
changes nothing more.
"""

from __future__ import annotations

import json

from sqlalchemy import Column, String, func, or_, select, update
from sqlalchemy.orm import Session

from services.notify import scheduling
from services.notify.models import (
    DeadEvent,
    DeadLetter,
    Delivery,
    ErasedPerson,
    QueuedJob,
    Reminder,
)
from shared.ids import person_digest
from shared.json_values import replace_value

# Where people's ids stand in events' data, reminders' data and jobs (`people`: the
# recipients a fan-out or a retry chose).
PERSON_FIELDS = ("person_id", "leader_id", "owner_id", "participant_ids", "people")
REMOVED = "(removed: person erased)"


def erase(session: Session, *, person_id: str, pseudonym: str) -> None:
    """Record the erasure, call off the reminders about the person's actions and dialogues,
    and put the pseudonym in place of the id (in session)."""
    row = session.get(ErasedPerson, person_digest(person_id))
    if row is None:
        session.add(ErasedPerson(digest=person_digest(person_id), pseudonym=pseudonym))
    elif row.pseudonym is None:  # erased before notify kept pseudonyms
        row.pseudonym = pseudonym
    scheduling.cancel_person(session, person_id=person_id)
    rename = Renaming(session, old=person_id, new=pseudonym)
    rename.reminders()
    rename.deliveries()
    rename.dead_letters()
    rename.jobs()
    rename.dead_events()


def as_known_now(session: Session, data: dict) -> dict:
    """An event's data with the ids of people erased since it was made replaced by their
    pseudonyms, so that handling it keeps no former id (an event handled late: retried,
    replayed)."""
    named = {person_digest(value): value for field in PERSON_FIELDS
             for value in _values(data.get(field))}
    if not named:
        return data
    for digest, pseudonym in session.execute(
        select(ErasedPerson.digest, ErasedPerson.pseudonym)
        .where(ErasedPerson.digest.in_(named), ErasedPerson.pseudonym.is_not(None))
    ).all():
        data = replace_value(data, named[digest], pseudonym, under=PERSON_FIELDS)
    return data


def _values(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


class Renaming:
    """The former id replaced by the pseudonym in one table after another (in session)."""

    def __init__(self, session: Session, *, old: str, new: str):
        self.session, self.old, self.new = session, old, new

    def reminders(self) -> None:
        reminders = Reminder.__table__.c
        for column in (reminders.owner_id, reminders.leader_id):
            self._json(reminders.data, column == self.old)
            self.session.execute(update(Reminder).where(column == self.old)
                                 .values({column.key: self.new}))

    def deliveries(self) -> None:
        """A delivery's key ends with the person's id (jobs.idempotency_key)."""
        self.session.execute(update(Delivery).where(Delivery.person_id == self.old).values(
            person_id=self.new, key=self._key(Delivery.key)))

    def dead_letters(self) -> None:
        """An email's dead letter loses the server's answer too: it often quotes the
        address. A whole job's keeps its error and has the id replaced in its job."""
        self._json(DeadLetter.__table__.c.job,
                   or_(DeadLetter.person_id == self.old, DeadLetter.person_id.is_(None)))
        self.session.execute(update(DeadLetter).where(DeadLetter.person_id == self.old).values(
            person_id=self.new, key=self._key(DeadLetter.key), error=REMOVED))

    def jobs(self) -> None:
        """Open jobs and finished ones the ledger still holds; a retry's `dead_letter` is
        its letter's key."""
        self._json(QueuedJob.__table__.c.job, None, also=self._dead_letter_key)

    def dead_events(self) -> None:
        self._json(DeadEvent.__table__.c.entry, None, also=self._entry)

    def _key(self, column: Column):
        """An idempotency key's SQL with the id at its end replaced."""
        kept = func.substr(column, 1, func.length(column) - len(self.old), type_=String)
        return kept + self.new

    def _json(self, column: Column, where, *, also=None) -> None:
        """Rewrite the JSON of the rows `where` picks (all if None), writing those that change."""
        [key] = column.table.primary_key.columns
        query = select(key, column) if where is None else select(key, column).where(where)
        for row_key, value in self.session.execute(query).all():
            changed = replace_value(value, self.old, self.new, under=PERSON_FIELDS)
            if also is not None:
                changed = also(changed)
            if changed != value:
                self.session.execute(update(column.table).where(key == row_key)
                                     .values({column.key: changed}))

    def _dead_letter_key(self, job: object) -> object:
        letter = job.get("dead_letter") if isinstance(job, dict) else None
        if isinstance(letter, str) and letter.endswith(f"|{self.old}"):
            return {**job, "dead_letter": letter[:-len(self.old)] + self.new}
        return job

    def _entry(self, entry: object) -> object:
        """The event a dead event's entry holds as JSON text in its `event` field: the id in
        its data, and its subject (`people/{id}`). An entry that is not JSON stays."""
        try:
            event = json.loads(entry["event"])
            changed = {**event, "data": replace_value(event["data"], self.old, self.new,
                                                      under=PERSON_FIELDS)}
        except (TypeError, KeyError, ValueError, RecursionError):
            return entry
        if changed.get("subject") == f"people/{self.old}":
            changed["subject"] = f"people/{self.new}"
        return entry if changed == event else {**entry, "event": json.dumps(changed)}
