"""Recording, amending and reading dialogues; plain functions, no Flask.

A dialogue's facts (unit, setting, dates, visibility) live on its row; what was
said lives in its revisions, one per recording or amendment, none overwritten.
Every write happens in one transaction with its outbox events, after every check.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from services.assessment import actions
from services.assessment import dialogue_events as events
from services.assessment import dialogue_rules as rules
from services.assessment.access import HR_NO_TEXTS, ensure_may_read_dialogue, readable_dialogues
from services.assessment.errors import Conflict, Forbidden, NotFound
from services.assessment.framework import FrameworkClient
from services.assessment.models import (
    Action,
    Dialogue,
    DialogueRevision,
    FocusRating,
    Participant,
    Unit,
)
from shared.auth import Principal
from shared.outbox import utcnow

AMENDABLE_FOR = timedelta(days=14)
FACTS = ("id", "unit_id", "leader_id", "setting", "held_on", "visibility", "follow_up_on",
         "framework_version", "revision")
UNCHANGEABLE = ("setting", "unit_id", "framework_version")
TEXTS = ("task_description", "answers", "strengths", "development_areas")
READER_ROLES = ("leader", "employee", "trio", "service")


def record(
    session: Session, *, framework: FrameworkClient, recorder_id: str, body: dict,
    request_id: str | None = None,
) -> Dialogue:
    """Record a dialogue with its revision, participants, ratings, actions and events."""
    unit = rules.recording_unit(session, unit_id=body["unit_id"], recorder_id=recorder_id)
    keys = rules.framework_keys(framework, body.get("framework_version"))
    content = rules.checked_content(session, body=body, keys=keys, unit=unit,
                                    leader_id=recorder_id)
    dialogue = Dialogue(
        id=str(uuid.uuid4()), unit_id=unit.id, leader_id=recorder_id, setting=body["setting"],
        framework_version=keys.version, revision=1, recorded_at=utcnow(), **_facts_of(content),
    )
    session.add(dialogue)
    session.flush()
    _write_revision(session, dialogue, content, by=recorder_id,
                    event_type=events.DIALOGUE_RECORDED, request_id=request_id)
    session.commit()
    return dialogue


def amend(
    session: Session, *, framework: FrameworkClient, principal: Principal, dialogue_id: str,
    body: dict, request_id: str | None = None,
) -> Dialogue:
    """Record revision n+1 of a dialogue, within 14 days of its recording, by its leader."""
    dialogue = _readable(session, principal, dialogue_id)
    if principal.sub != dialogue.leader_id:
        raise Forbidden("only the leader who recorded the dialogue amends it")
    if utcnow() - dialogue.recorded_at > AMENDABLE_FOR:
        raise Conflict(f"a dialogue can be amended for {AMENDABLE_FOR.days} days after it "
                       "was recorded; record a new dialogue instead")
    # Without a version the amendment keeps the dialogue's; naming another is refused.
    body = {"framework_version": dialogue.framework_version, **body}
    _check_unchanged(dialogue, body)
    keys = rules.framework_keys(framework, dialogue.framework_version)
    content = rules.checked_content(session, body=body, keys=keys,
                                    unit=session.get(Unit, dialogue.unit_id),
                                    leader_id=dialogue.leader_id)
    # Guarded by the revision we read, so of two concurrent amendments only one applies.
    claimed = session.execute(
        update(Dialogue)
        .where(Dialogue.id == dialogue.id, Dialogue.revision == dialogue.revision)
        .values(revision=dialogue.revision + 1, amended_at=utcnow(), **_facts_of(content))
    ).rowcount
    if claimed != 1:
        session.rollback()
        raise Conflict("the dialogue was amended meanwhile; read it again")
    session.execute(delete(Participant).where(Participant.dialogue_id == dialogue.id))
    session.execute(delete(FocusRating).where(FocusRating.dialogue_id == dialogue.id))
    _write_revision(session, dialogue, content, by=principal.sub,
                    event_type=events.DIALOGUE_AMENDED, request_id=request_id)
    session.commit()
    return dialogue


def get(session: Session, *, principal: Principal, dialogue_id: str) -> dict:
    """The whole dialogue for a reader: facts, the current revision's content, the actions."""
    return describe(session, _readable(session, principal, dialogue_id))


def describe(session: Session, dialogue: Dialogue) -> dict:
    """A dialogue's facts with its current revision's content and its actions."""
    content = session.get(DialogueRevision, (dialogue.id, dialogue.revision)).content
    return {
        **{name: getattr(dialogue, name) for name in FACTS},
        "recorded_at": dialogue.recorded_at,
        "amended_at": dialogue.amended_at,
        "amendable_until": dialogue.recorded_at + AMENDABLE_FOR,
        "participants": content["participants"],
        "focus_areas": content["focus_areas"],
        **{name: content[name] for name in TEXTS},
        "actions": actions.of_dialogue(session, dialogue.id),
    }


def revisions(
    session: Session, *, principal: Principal, dialogue_id: str
) -> list[DialogueRevision]:
    """Every revision of a dialogue, oldest first."""
    dialogue = _readable(session, principal, dialogue_id)
    return list(session.scalars(
        select(DialogueRevision).where(DialogueRevision.dialogue_id == dialogue.id)
        .order_by(DialogueRevision.revision)
    ))


def list_dialogues(
    session: Session, *, principal: Principal, page: int, page_size: int,
    unit_id: str | None = None, setting: str | None = None, held_from: date | None = None,
    held_to: date | None = None,
) -> tuple[list[Dialogue], int]:
    """One page of the dialogues the principal may read, newest first, and how many in all."""
    # HR in that role alone sees insights, never dialogues; an HR admin who also holds
    # another role lists what that role may read.
    if principal.has_any("hr_admin") and not principal.has_any(*READER_ROLES):
        raise Forbidden(HR_NO_TEXTS)
    query = select(Dialogue).where(readable_dialogues(session, principal))
    for column, value in ((Dialogue.unit_id, unit_id), (Dialogue.setting, setting)):
        if value is not None:
            query = query.where(column == value)
    if held_from is not None:
        query = query.where(Dialogue.held_on >= held_from)
    if held_to is not None:
        query = query.where(Dialogue.held_on <= held_to)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(
        query.order_by(Dialogue.held_on.desc(), Dialogue.recorded_at.desc(), Dialogue.id)
        .offset((page - 1) * page_size).limit(page_size)
    ).all()
    return list(items), total


def _readable(session: Session, principal: Principal, dialogue_id: str) -> Dialogue:
    dialogue = session.get(Dialogue, dialogue_id)
    if dialogue is None:
        raise NotFound(f"dialogue {dialogue_id} not found")
    ensure_may_read_dialogue(session, principal, dialogue)
    return dialogue


def _check_unchanged(dialogue: Dialogue, body: dict) -> None:
    errors = rules.Errors()
    for name in UNCHANGEABLE:
        if body[name] != getattr(dialogue, name):
            errors.add(name, message=(
                f"an amendment cannot change the {name} (it is {getattr(dialogue, name)!r}); "
                "record a new dialogue instead"
            ))
    errors.raise_any()


def _facts_of(content: dict) -> dict:
    return {name: content[name] for name in ("held_on", "visibility", "follow_up_on")}


def _write_revision(
    session: Session, dialogue: Dialogue, content: dict, *, by: str, event_type: str,
    request_id: str | None,
) -> None:
    """Add the revision, the rows that mirror it, its new actions and the events."""
    agreed = actions.new_actions(dialogue.id, content["actions"])
    session.add(DialogueRevision(
        dialogue_id=dialogue.id, revision=dialogue.revision, recorded_at=utcnow(),
        recorded_by=by, content=_revision_content(content, agreed),
    ))
    session.add_all(Participant(dialogue_id=dialogue.id, **participant)
                    for participant in content["participants"])
    session.add_all(FocusRating(dialogue_id=dialogue.id, **rating)
                    for rating in content["focus_areas"])
    session.add_all(agreed)
    session.flush()
    action_ids = list(session.scalars(
        select(Action.id).where(Action.dialogue_id == dialogue.id)
        .order_by(Action.created_at, Action.id)
    ))
    events.emit(session, type=event_type, subject=events.dialogue_subject(dialogue.id),
                request_id=request_id, data=events.dialogue_data(
                    dialogue,
                    participant_ids=[p["person_id"] for p in content["participants"]],
                    action_ids=action_ids,
                    focus_weights={r["focus_area"]: r["weight"] for r in content["focus_areas"]},
                ))
    actions.announce_agreed(session, dialogue=dialogue, agreed=agreed, request_id=request_id)


def _revision_content(content: dict, agreed: list[Action]) -> dict:
    """What a revision keeps, as JSON: the dates, the people, the texts, the new actions."""
    return {
        "held_on": content["held_on"].isoformat(),
        "follow_up_on": content["follow_up_on"].isoformat(),
        "visibility": content["visibility"],
        "participants": content["participants"],
        "focus_areas": content["focus_areas"],
        **{name: content[name] for name in TEXTS},
        "actions": [
            {"id": action.id, "title": action.title, "owner_id": action.owner_id,
             "due_on": action.due_on.isoformat(), "focus_area": action.focus_area,
             "commitment": action.commitment}
            for action in agreed
        ],
    }
