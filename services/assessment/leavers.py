"""People who leave: the `person.left` event that tells notify, and who is leaving when an
import of the whole organisation no longer lists someone.

A person is marked left by HR (PATCH /api/v1/people/{id} with `left_on`) or by a whole
import (`org_import`); both emit the event built here, in the transaction of the change.
The record, the dialogues and the actions stay: their open actions are listed to the
leader of each action's dialogue (GET /api/v1/actions?owner_left=true) for a new owner.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.assessment import dialogue_events as events
from services.assessment.actions import FINAL_STATUSES
from services.assessment.models import Action, Person

PERSON_LEFT = "lederdialog.person.left.v1"
# Ids per IN list: well below what either database binds in one statement.
IDS_PER_QUERY = 5000


def person_subject(person_id: str) -> str:
    return f"people/{person_id}"


def open_action_ids(session: Session, person_ids: Collection[str]) -> dict[str, list[str]]:
    """The ids of the actions each person owns that are neither done nor dropped, oldest
    first (a person without any is left out)."""
    owned: dict[str, list[str]] = {}
    ids = list(person_ids)
    for start in range(0, len(ids), IDS_PER_QUERY):
        for owner_id, action_id in session.execute(
            select(Action.owner_id, Action.id)
            .where(Action.owner_id.in_(ids[start:start + IDS_PER_QUERY]),
                   Action.status.not_in(FINAL_STATUSES))
            .order_by(Action.created_at, Action.id)
        ):
            owned.setdefault(owner_id, []).append(action_id)
    return owned


def left_events(
    session: Session, people: Mapping[str, str | None], *, left_on: date,
    request_id: str | None,
) -> list[dict]:
    """One person.left envelope per person (id → the unit they worked in), with the open
    actions they own, for the caller to add to the outbox with the change."""
    owned = open_action_ids(session, people)
    return [
        events.envelope(type=PERSON_LEFT, subject=person_subject(person_id),
                        request_id=request_id, data={
                            "person_id": person_id, "unit_id": unit_id,
                            "left_on": left_on.isoformat(),
                            "open_action_ids": owned.get(person_id, []),
                        })
        for person_id, unit_id in people.items()
    ]


def here_but_not_in(session: Session, listed: Collection[str]) -> dict[str, str | None]:
    """The people neither left nor erased whose ids are not among `listed` (id → their unit),
    by id: those an import of the whole organisation finds gone."""
    listed = set(listed)
    return {
        person_id: unit_id
        for person_id, unit_id in session.execute(
            select(Person.id, Person.unit_id)
            .where(Person.left_on.is_(None), Person.erased_at.is_(None)).order_by(Person.id),
            execution_options={"yield_per": IDS_PER_QUERY},
        )
        if person_id not in listed
    }
