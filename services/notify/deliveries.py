"""The delivery record: one row per idempotency key, claimed before SMTP and marked after.

A key is claimed by inserting its row ("sending") or, for a row left "sending"
by a crashed attempt (or "dead" and being retried), by bumping its attempt
counter from the value seen; only the claimer sends, so two copies of one job
never both hand the same email over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.notify.failures import storable
from services.notify.models import (
    DEAD,
    FAILED,
    SENDING,
    SENT,
    DeadLetter,
    Delivery,
    ErasedPerson,
)
from shared.db import conflict_insert, insert_new_rows
from shared.ids import person_digest
from shared.outbox import utcnow

# The rows are written with Core, not the ORM's bulk updates: nothing a session holds
# needs keeping in step with them, and the ORM's bookkeeping cost CPU on every email.
DELIVERIES = Delivery.__table__


@dataclass(frozen=True)
class Claim:
    key: str
    kind: str
    person_id: str
    message_id: str
    seen_attempts: int | None  # None: no row yet


def states(session: Session, keys: list[str]) -> dict[str, Delivery]:
    """The delivery rows of the given keys that exist."""
    if not keys:
        return {}
    return {d.key: d for d in session.scalars(select(Delivery).where(Delivery.key.in_(keys)))}


def erased(session: Session, person_ids: list[str]) -> set[str]:
    """Those of person_ids that were erased (known by their digests): an old job naming one
    sends nothing."""
    if not person_ids:
        return set()
    by_digest = {person_digest(person_id): person_id for person_id in person_ids}
    return {by_digest[digest] for digest in session.scalars(
        select(ErasedPerson.digest).where(ErasedPerson.digest.in_(by_digest))
    )}


def claim(session: Session, claims: list[Claim]) -> set[str]:
    """Mark the keys "sending" in one transaction; returns the keys this caller won."""
    now = utcnow()
    won = insert_new_rows(session.connection(), DELIVERIES, [
        {"key": c.key, "message_id": c.message_id, "kind": c.kind, "person_id": c.person_id,
         "state": SENDING, "attempts": 1, "updated_at": now}
        for c in claims if c.seen_attempts is None
    ], key="key")
    for c in claims:
        if c.seen_attempts is None:
            continue
        bumped = session.execute(
            update(DELIVERIES)
            .where(DELIVERIES.c.key == c.key, DELIVERIES.c.attempts == c.seen_attempts,
                   DELIVERIES.c.state != SENT)
            .values(state=SENDING, attempts=c.seen_attempts + 1, updated_at=now)
        ).rowcount
        if bumped:
            won.add(c.key)
    session.commit()
    return won


@dataclass(frozen=True)
class Failure:
    claim: Claim
    error: str
    code: int | None
    job: dict


def settle(
    session: Session, *, sent: list[str], dead: list[Failure], released: list[str] = (),
    retrying_dead_letters: bool = False,
) -> None:
    """Record what the server took, what it refused for good, and what it did not take yet.

    A dead letter sent again (retrying_dead_letters) is marked delivered."""
    now = utcnow()
    if released:
        session.execute(update(DELIVERIES).where(DELIVERIES.c.key.in_(released))
                        .values(state=FAILED, updated_at=now))
    if sent:
        session.execute(update(DELIVERIES).where(DELIVERIES.c.key.in_(sent))
                        .values(state=SENT, updated_at=now))
        if retrying_dead_letters:
            session.execute(
                update(DeadLetter).where(DeadLetter.key.in_(sent)).values(status="delivered")
            )
    for failure in dead:
        session.execute(update(DELIVERIES).where(DELIVERIES.c.key == failure.claim.key)
                        .values(state=DEAD, updated_at=now))
        _record_dead_letter(session, key=failure.claim.key, kind=failure.claim.kind,
                            person_id=failure.claim.person_id, job=failure.job,
                            error=failure.error, code=failure.code, now=now)
    session.commit()


def dead_letter_job(session: Session, *, key: str, job: dict, error: str) -> None:
    """A whole job that cannot run (its data, or a bug it meets) as a dead letter with no
    person, for HR to send again once the cause is fixed; commits."""
    _record_dead_letter(session, key=key, kind=storable(str(job.get("kind")), 40),
                        person_id=None, job=job, error=error, code=None, now=utcnow())
    session.commit()


def job_letter_done(session: Session, key: str) -> None:
    """A whole job's dead letter, sent again, ran through: it is delivered; commits."""
    session.execute(update(DeadLetter).where(
        DeadLetter.key == key, DeadLetter.person_id.is_(None), DeadLetter.status == "retrying",
    ).values(status="delivered"))
    session.commit()


def _record_dead_letter(
    session: Session, *, key: str, kind: str, person_id: str | None, job: dict, error: str,
    code: int | None, now: datetime,
) -> None:
    values = {
        "key": key, "kind": kind, "person_id": person_id, "job": job,
        "error": storable(error), "smtp_code": code, "failures": 1, "status": "dead",
        "created_at": now, "failed_at": now,
    }
    statement = conflict_insert(session, DeadLetter.__table__).values(values)
    session.execute(statement.on_conflict_do_update(
        index_elements=["key"],
        set_={"error": statement.excluded.error, "smtp_code": statement.excluded.smtp_code,
              "failures": DeadLetter.__table__.c.failures + 1, "status": "dead",
              "failed_at": now, "job": statement.excluded.job},
    ))
