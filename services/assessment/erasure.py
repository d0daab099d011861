"""Erasing a person (GDPR Art. 17): a pseudonym takes the place of their id everywhere in this
service's database, and their name and email are gone for good.

Person ids are HR's ids and may be personal themselves ("l.leder"), so blanking the name
and email is not enough: every row that names the person by id names the pseudonym
instead. The rows stay, so the organisation's records (who led which dialogue, who owns
which action) and the insight figures still add up. What others wrote about the person
in free text cannot be found by a program (docs/privacy.md says what HR does about it).
"""

from __future__ import annotations

import secrets

from sqlalchemy import String, cast, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.assessment import leavers, org
from services.assessment.dialogue_events import emit, emit_all
from services.assessment.dialogue_rules import local_today
from services.assessment.errors import Conflict, NotFound
from services.assessment.models import (
    Action,
    ActionChange,
    Dialogue,
    DialogueRead,
    DialogueRevision,
    Erasure,
    InsightPerson,
    Participant,
    Person,
    PersonChange,
    Unit,
)
from shared.ids import person_digest
from shared.json_values import replace_value
from shared.outbox import utcnow

PERSON_ERASED = "lederdialog.person.erased.v1"
PSEUDONYM_PREFIX = "erased-"
# Every column besides people.id that holds a person's id. Action owners' ids also stand
# in the history of ownership changes (`OWNER_VALUES`), and in revisions' content.
PERSON_ID_COLUMNS = (
    Unit.leader_id, Unit.tr_id, Unit.amr_id,
    Dialogue.leader_id, Participant.person_id, DialogueRevision.recorded_by,
    Action.owner_id, ActionChange.changed_by,
    PersonChange.person_id, PersonChange.changed_by,
    DialogueRead.reader_id, InsightPerson.person_id, Erasure.erased_by,
)
OWNER_VALUES = (ActionChange.old_value, ActionChange.new_value)
# The keys under which a revision's content names a person (dialogues._revision_content):
# its participants' and its actions' owners' ids.
CONTENT_PERSON_KEYS = frozenset({"person_id", "owner_id"})
# The fields of a person's history whose values are theirs to have erased.
ERASED_FIELDS = ("name", "email")


def new_pseudonym() -> str:
    """A random id of the pattern HR's ids follow; random, so it tells nothing of the id."""
    return f"{PSEUDONYM_PREFIX}{secrets.token_hex(8)}"


def erase(
    session: Session, *, person_id: str, erased_by: str, request_id: str | None = None
) -> Erasure:
    """Put a pseudonym in place of the person's id, remove their name and email, and tell
    the other services (person.erased), all in one transaction.

    Erasing again, by the former id or by the pseudonym, answers as the erasure did and
    changes nothing; an erased id that was added again since is erased again. Holds the
    organisation's lock (org.lock_tree), so two erasures of one person, or an erasure and
    an import that would bring the id back, take turns.
    """
    org.lock_tree(session)
    person = session.get(Person, person_id)
    if person is None:
        session.rollback()
        return _earlier(session, person_id)
    if person.erased_at is not None:  # asked by the pseudonym
        session.rollback()
        return Erasure(pseudonym=person.id, erased_at=person.erased_at)
    now, pseudonym = utcnow(), new_pseudonym()
    # The erasing HR admin may be erasing themselves.
    by = pseudonym if erased_by == person_id else erased_by
    session.execute(insert(Person).values(
        id=pseudonym, name=pseudonym, email="", language=person.language,
        unit_id=person.unit_id, left_on=person.left_on or local_today(), erased_at=now,
        created_at=person.created_at, updated_at=now,
    ))
    _repoint(session, person_id, pseudonym)
    session.execute(
        update(PersonChange)
        .where(PersonChange.person_id == pseudonym, PersonChange.field.in_(ERASED_FIELDS))
        .values(old_value=None, new_value=None)
    )
    session.execute(delete(Person).where(Person.id == person_id))
    session.expunge(person)
    session.add(PersonChange(person_id=pseudonym, field="erased", changed_by=by, changed_at=now))
    # merge: an id erased before may have been added again (by an import of HR's records).
    erasure = session.merge(
        Erasure(digest=person_digest(person_id), pseudonym=pseudonym, erased_by=by, erased_at=now)
    )
    emit(session, type=PERSON_ERASED, subject=f"people/{pseudonym}", request_id=request_id,
         data={"person_id": person_id, "pseudonym": pseudonym})
    if person.left_on is None:  # erased before they were marked as having left
        emit_all(session, leavers.left_events(session, {pseudonym: person.unit_id},
                                              left_on=local_today(), request_id=request_id))
    try:
        session.commit()
    except IntegrityError as exc:  # a row naming the person was written meanwhile
        session.rollback()
        raise Conflict(f"person {person_id} changed meanwhile; try again") from exc
    return erasure


def _earlier(session: Session, person_id: str) -> Erasure:
    """The erasure of this former id (NotFound if there was none)."""
    done = session.get(Erasure, person_digest(person_id))
    if done is None:
        raise NotFound(f"person {person_id} not found")
    return done


def _repoint(session: Session, old: str, new: str) -> None:
    """Name `new` wherever a row names `old`: the id columns, the owners in actions'
    histories, and revisions' content."""
    for column in PERSON_ID_COLUMNS:
        session.execute(update(column.table).where(column == old).values({column.key: new}))
    for column in OWNER_VALUES:
        session.execute(
            update(ActionChange).where(ActionChange.kind == "owner", column == old)
            .values({column.key: new})
        )
    for revision in revisions_naming(session, old):
        session.execute(
            update(DialogueRevision)
            .where(DialogueRevision.dialogue_id == revision.dialogue_id,
                   DialogueRevision.revision == revision.revision)
            .values(content=replace_value(revision.content, old, new, under=CONTENT_PERSON_KEYS))
        )


def revisions_naming(session: Session, person_id: str) -> list[DialogueRevision]:
    """The revisions whose content may name the person: those whose JSON text holds the id
    as a whole string (as a participant's or an action owner's id, or by chance)."""
    return list(session.scalars(
        select(DialogueRevision)
        .where(cast(DialogueRevision.content, String).contains(f'"{person_id}"', autoescape=True))
    ))


