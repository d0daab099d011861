"""Recording, amending and reading dialogues; plain functions, no Flask.

A dialogue's facts (unit, setting, dates, visibility) live on its row; what was
said lives in its revisions, one per recording or amendment, none overwritten.
Every write happens at once with its outbox events, after every check: a recording with
one shared.db.insert_rows (one statement on PostgreSQL), an amendment in one transaction.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Engine, Table, delete, func, select, update
from sqlalchemy.orm import Session

from services.assessment import actions, insight_store, read_log
from services.assessment import dialogue_events as events
from services.assessment import dialogue_rules as rules
from services.assessment.access import (
    ensure_may_list_texts,
    ensure_may_read_dialogue,
    owners_told_of_their_actions,
    readable_dialogues,
    readers,
)
from services.assessment.errors import Conflict, Forbidden, NotFound
from services.assessment.framework import FrameworkClient, FrameworkKeys
from services.assessment.models import (
    Action,
    Dialogue,
    DialogueRevision,
    FocusRating,
    InsightStale,
    Participant,
    Person,
)
from shared.auth import Principal
from shared.db import connection_for_one_write, insert_rows
from shared.ids import new_uuid
from shared.outbox import utcnow

AMENDABLE_FOR = timedelta(days=14)
FACTS = ("id", "unit_id", "leader_id", "setting", "held_on", "visibility", "follow_up_on",
         "framework_version", "revision")
UNCHANGEABLE = ("setting", "unit_id", "framework_version")
TEXTS = ("task_description", "answers", "strengths", "development_areas")


def record(
    engine: Engine, *, framework: FrameworkClient, recorder_id: str, body: dict,
    request_id: str | None = None,
) -> dict:
    """Record a dialogue with its revision, participants, ratings, actions and events.

    Returns the dialogue as `describe` shows it, from what was written: a new dialogue's
    actions are the ones agreed in it, so nothing needs reading back.
    """
    keys = rules.framework_keys(framework, body.get("framework_version"))
    with connection_for_one_write(engine) as connection:
        return _record(connection, keys=keys, recorder_id=recorder_id, body=body,
                       request_id=request_id)


def _record(
    connection: Connection, *, keys: FrameworkKeys, recorder_id: str, body: dict,
    request_id: str | None,
) -> dict:
    unit, people = rules.recording_unit_and_people(connection, body=body,
                                                   recorder_id=recorder_id)
    content = rules.checked_content(body=body, keys=keys, unit=unit, people=people,
                                    leader_id=recorder_id)
    facts = {
        "id": str(new_uuid()), "unit_id": unit.id, "leader_id": recorder_id,
        "setting": body["setting"], "framework_version": keys.version, "revision": 1,
        "recorded_at": utcnow(), **_facts_of(content),
    }
    # Written with Core (see _revision_rows), never through a session: the object only
    # carries the facts to the events and the answer.
    dialogue = Dialogue(**facts)
    agreed = actions.new_actions(dialogue.id, content["actions"])
    envelopes = _events(dialogue, content, agreed, event_type=events.DIALOGUE_RECORDED,
                        action_ids=[action.id for action in actions.in_creation_order(agreed)],
                        request_id=request_id)
    insert_rows(connection, [
        (Dialogue.__table__, [facts]),
        *_revision_rows(dialogue, content, agreed, by=recorder_id),
        events.outbox_rows(envelopes),
        (InsightStale.__table__, insight_store.marks(unit.id, dialogue.held_on)),
    ])
    return _description(dialogue, content, actions.soonest_first(agreed))


def amend(
    session: Session, *, framework: FrameworkClient, principal: Principal, dialogue_id: str,
    body: dict, request_id: str | None = None,
) -> Dialogue:
    """Record revision n+1 of a dialogue, within 14 days of its recording, by its leader.

    An amendment that adds no action and says what the current revision says changes
    nothing: no revision, no event, so nobody is emailed again."""
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
    unit, people = rules.unit_and_people(session.connection(), body)
    content = rules.checked_content(body=body, keys=keys, unit=unit, people=people,
                                    leader_id=dialogue.leader_id,
                                    current_follow_up=dialogue.follow_up_on)
    if not content["actions"] and _says_the_same(session, dialogue, content):
        return dialogue
    # The day it was held before and after: both quarters' figures change.
    insight_store.mark(session, dialogue.unit_id, dialogue.held_on, content["held_on"])
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
    agreed = actions.new_actions(dialogue.id, content["actions"])
    insert_rows(session.connection(),
                _revision_rows(dialogue, content, agreed, by=principal.sub))
    events.emit_all(session, _events(
        dialogue, content, agreed, event_type=events.DIALOGUE_AMENDED,
        action_ids=actions.ids_of_dialogue(session, dialogue.id), request_id=request_id,
    ))
    session.commit()
    return dialogue


def get(session: Session, *, principal: Principal, dialogue_id: str) -> dict:
    """The whole dialogue for a reader: facts, the current revision's content, the actions.

    The service role (notify) is also told its `readers`, so that it mails the dialogue's
    texts only to people who may read them here, and the owners it may tell of their own
    actions alone (`owners_told`). The read is written to the read log (read_log.py)."""
    dialogue = _readable(session, principal, dialogue_id)
    described = describe(session, dialogue)
    described["people"] = _names(session, dialogue, described)
    if principal.has_any("service"):
        described["readers"] = sorted(readers(session, dialogue))
        described["owners_told"] = sorted(owners_told_of_their_actions(session, dialogue))
    read_log.record_read(session, principal=principal, dialogue_id=dialogue.id)
    return described


def describe(session: Session, dialogue: Dialogue) -> dict:
    """A dialogue's facts with its current revision's content and its actions."""
    revision = session.get(DialogueRevision, (dialogue.id, dialogue.revision))
    return _description(dialogue, revision.content, actions.of_dialogue(session, dialogue.id),
                        texts_removed_at=revision.texts_removed_at)


def _names(session: Session, dialogue: Dialogue, described: dict) -> dict[str, str]:
    """The names of the people a dialogue names (leader, participants, action owners): who
    may read the dialogue learns who took part in it."""
    ids = {dialogue.leader_id} | {p["person_id"] for p in described["participants"]}
    ids |= {action.owner_id for action in described["actions"]}
    return dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())


def _description(
    dialogue: Dialogue, content: dict, dialogue_actions: list[Action], *,
    texts_removed_at: datetime | None = None,
) -> dict:
    """What `describe` answers, from the facts, a revision's content and the actions;
    `texts_removed_at` when retention removed the revision's texts."""
    return {
        **{name: getattr(dialogue, name) for name in FACTS},
        "recorded_at": dialogue.recorded_at,
        "amended_at": dialogue.amended_at,
        "amendable_until": dialogue.recorded_at + AMENDABLE_FOR,
        "participants": content["participants"],
        "focus_areas": content["focus_areas"],
        **{name: content[name] for name in TEXTS},
        "texts_removed_at": texts_removed_at,
        "actions": dialogue_actions,
    }


def revisions(
    session: Session, *, principal: Principal, dialogue_id: str
) -> list[DialogueRevision]:
    """Every revision of a dialogue, oldest first; the read is written to the read log."""
    dialogue = _readable(session, principal, dialogue_id)
    found = list(session.scalars(
        select(DialogueRevision).where(DialogueRevision.dialogue_id == dialogue.id)
        .order_by(DialogueRevision.revision)
    ))
    read_log.record_read(session, principal=principal, dialogue_id=dialogue.id)
    return found


def list_dialogues(
    session: Session, *, principal: Principal, page: int, page_size: int,
    unit_id: str | None = None, setting: str | None = None, held_from: date | None = None,
    held_to: date | None = None, follow_up_from: date | None = None,
) -> tuple[list[Dialogue], int]:
    """One page of the dialogues the principal may read, newest first, and how many in all."""
    # HR in that role alone sees insights, never dialogues; an HR admin who also holds
    # another role lists what that role may read.
    ensure_may_list_texts(principal)
    query = select(Dialogue).where(readable_dialogues(principal))
    for column, value in ((Dialogue.unit_id, unit_id), (Dialogue.setting, setting)):
        if value is not None:
            query = query.where(column == value)
    if held_from is not None:
        query = query.where(Dialogue.held_on >= held_from)
    if held_to is not None:
        query = query.where(Dialogue.held_on <= held_to)
    if follow_up_from is not None:
        query = query.where(Dialogue.follow_up_on >= follow_up_from)
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


def _says_the_same(session: Session, dialogue: Dialogue, content: dict) -> bool:
    """Whether content says what the dialogue's current revision says; the order of its
    participants and of its ratings does not matter."""
    current = session.get(DialogueRevision, (dialogue.id, dialogue.revision)).content
    return _comparable(current) == _comparable(_revision_content(content, []))


def _comparable(revision_content: dict) -> dict:
    return {
        **{name: value for name, value in revision_content.items() if name != "actions"},
        "participants": sorted(revision_content["participants"], key=lambda p: p["person_id"]),
        "focus_areas": sorted(revision_content["focus_areas"], key=lambda r: r["focus_area"]),
    }


def _facts_of(content: dict) -> dict:
    return {name: content[name] for name in ("held_on", "visibility", "follow_up_on")}


def _revision_rows(
    dialogue: Dialogue, content: dict, agreed: list[Action], *, by: str
) -> list[tuple[Table, list[dict]]]:
    """The revision, the rows that mirror it and its new actions, for shared.db.insert_rows.

    Core rather than the session's unit of work: its flushes cost more CPU than the writes.
    """
    return [
        (DialogueRevision.__table__, [{
            "dialogue_id": dialogue.id, "revision": dialogue.revision, "recorded_at": utcnow(),
            "recorded_by": by, "content": _revision_content(content, agreed),
        }]),
        (Participant.__table__,
         [{"dialogue_id": dialogue.id, **row} for row in content["participants"]]),
        (FocusRating.__table__,
         [{"dialogue_id": dialogue.id, **row} for row in content["focus_areas"]]),
        actions.rows_of_new(agreed),
    ]


def _events(
    dialogue: Dialogue, content: dict, agreed: list[Action], *, event_type: str,
    action_ids: list[str], request_id: str | None,
) -> list[dict]:
    """The dialogue's event, then one per new action."""
    dialogue_event = events.envelope(
        type=event_type, subject=events.dialogue_subject(dialogue.id), request_id=request_id,
        data=events.dialogue_data(
            dialogue,
            participant_ids=[p["person_id"] for p in content["participants"]],
            action_ids=action_ids,
            focus_weights={r["focus_area"]: r["weight"] for r in content["focus_areas"]},
        ),
    )
    return [dialogue_event, *actions.agreed_events(dialogue, agreed, request_id)]


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
