"""A person's export (GDPR Art. 15): everything Lederdialog holds about them, in one document.

The assessment service's part comes from its own tables, and of each dialogue the person
took part in, what the person may read by the one rule (access.py): the texts of those
they may read, the facts alone of the others. Notify's part (the emails) is asked for
at notify with the caller's own token, so notify applies its own rule. An export is
whole or not given at all: if notify cannot answer, neither does the export.
"""

from __future__ import annotations

from collections.abc import Callable

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.assessment import access, actions, dialogues, read_log
from services.assessment.erasure import revisions_naming
from services.assessment.errors import NotFound, ServiceUnavailable
from services.assessment.models import (
    Action,
    Dialogue,
    DialogueRead,
    DialogueRevision,
    Participant,
    Person,
    PersonChange,
)
from shared.auth import Principal
from shared.http import TIMEOUT
from shared.outbox import utcnow

CHANNEL = "export"
LEADER = "leader"


class NotifyEmails:
    """Notify's part of an export: the emails sent to the person, those planned, and those
    that could not be delivered."""

    def __init__(self, base_url: str, session: requests.Session):
        self._base = base_url.rstrip("/")
        self._session = session

    def of(self, person_id: str, *, authorization: str) -> dict:
        """What notify tells the caller (whose Authorization header is passed on); NotFound
        if notify may not tell them, ServiceUnavailable if it cannot be asked now."""
        try:
            response = self._session.get(
                f"{self._base}/api/v1/emails/{person_id}",
                headers={"Authorization": authorization}, timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            raise ServiceUnavailable(f"notify cannot be reached: {type(exc).__name__}") from exc
        if response.status_code == 404:
            raise NotFound(f"person {person_id} not found")
        if response.status_code != 200:
            raise ServiceUnavailable(f"notify answered {response.status_code}")
        try:
            return response.json()
        except ValueError as exc:
            raise ServiceUnavailable("notify answered something other than JSON") from exc



def export(
    session: Session, *, principal: Principal, person_id: str, emails: Callable[[str], dict],
) -> dict:
    """The person's export for the principal (NotFound unless
    `access.may_see_personal_data`). Each dialogue whose texts it holds gets a read of
    channel "export" by the principal in the read log (the dialogues are described here,
    not read through dialogues.get, which would log a read by the person).

    `emails(person_id)` is notify's part, asked for before anything is read here.
    """
    may_see = access.may_see_personal_data(principal, person_id)
    person = session.get(Person, person_id) if may_see else None
    if person is None:
        raise NotFound(f"person {person_id} not found")
    notify_part = emails(person_id)
    # What the person may read follows from their place in the organisation, not from roles.
    as_person = Principal(sub=person_id, roles=frozenset())
    taken_part = _dialogues_taken_part_in(session, as_person)
    document = {
        "person": person,
        "exported_at": utcnow(),
        "history": list(session.scalars(
            select(PersonChange).where(PersonChange.person_id == person_id)
            .order_by(PersonChange.changed_at, PersonChange.id)
        )),
        "dialogues": taken_part,
        "actions": actions.describe_all(session, list(session.scalars(
            select(Action).where(Action.owner_id == person_id)
            .order_by(Action.due_on, Action.created_at, Action.id)
        ))),
        "reads": _reads(session, DialogueRead.dialogue_id.in_(
            select(Dialogue.id).where(Dialogue.leader_id == person_id)
        )),
        "own_reads": _reads(session, DialogueRead.reader_id == person_id),
        "emails": notify_part,
    }
    read_log.record(session, dialogue_ids=[d["id"] for d in taken_part if d["readable"]],
                    reader_id=principal.sub, channel=CHANNEL)
    session.commit()
    return document


def _dialogues_taken_part_in(session: Session, as_person: Principal) -> list[dict]:
    """The dialogues the person led or took part in (now, or in an earlier revision), oldest
    first: in full with every earlier revision where the person may read them, else their
    facts alone."""
    person_id = as_person.sub
    roles: dict[str, str | None] = {}
    for revision in sorted(revisions_naming(session, person_id), key=lambda r: r.revision):
        for participant in revision.content.get("participants", ()):
            if participant.get("person_id") == person_id:
                roles[revision.dialogue_id] = participant.get("role")
    roles.update(session.execute(
        select(Participant.dialogue_id, Participant.role).where(Participant.person_id == person_id)
    ).all())
    roles.update(dict.fromkeys(
        session.scalars(select(Dialogue.id).where(Dialogue.leader_id == person_id)), LEADER
    ))
    found = session.scalars(
        select(Dialogue).where(Dialogue.id.in_(list(roles)))
        .order_by(Dialogue.held_on, Dialogue.recorded_at, Dialogue.id)
    )
    return [_dialogue(session, as_person, dialogue, roles[dialogue.id]) for dialogue in found]


def _dialogue(
    session: Session, as_person: Principal, dialogue: Dialogue, role: str | None
) -> dict:
    facts = {"id": dialogue.id, "unit_id": dialogue.unit_id, "setting": dialogue.setting,
             "held_on": dialogue.held_on, "role": role}
    if not access.may_read_dialogue(session, as_person, dialogue):
        return {**facts, "readable": False}
    earlier = session.scalars(
        select(DialogueRevision).where(DialogueRevision.dialogue_id == dialogue.id,
                                       DialogueRevision.revision < dialogue.revision)
        .order_by(DialogueRevision.revision)
    )
    return {**dialogues.describe(session, dialogue), **facts, "readable": True,
            "earlier_revisions": list(earlier)}


def _reads(session: Session, which) -> list[DialogueRead]:
    return list(session.scalars(
        select(DialogueRead).where(which).order_by(DialogueRead.read_at, DialogueRead.id)
    ))
