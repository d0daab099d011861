"""Agreed actions: created with their dialogue, then followed through to done or dropped."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, Table, and_, func, not_, select, update
from sqlalchemy.orm import Session, aliased

from services.assessment import dialogue_events as events
from services.assessment import insight_store
from services.assessment.access import (
    ensure_may_list_texts,
    ensure_may_read_dialogue,
    readable_actions,
    readable_dialogues,
    readable_people,
)
from services.assessment.errors import Conflict, Forbidden, Invalid, NotFound
from services.assessment.models import Action, ActionChange, Dialogue, Person
from shared.auth import Principal
from shared.ids import new_uuid
from shared.outbox import utcnow

FINAL_STATUSES = frozenset({"done", "dropped"})
# What a listed action shows of its dialogue, to those who may read the dialogue.
DIALOGUE_FACTS = ("unit_id", "setting", "held_on")
NEW_ACTION_FIELDS = ("title", "owner_id", "due_on", "focus_area", "commitment")
NEW_ACTION_COLUMNS = ("id", "dialogue_id", "status", "created_at", "updated_at",
                      *NEW_ACTION_FIELDS)
# A listed action's owner, for the day they left (aliased: a query may join people again).
_OWNER = aliased(Person, name="owner")


def new_actions(dialogue_id: str, specs: list[dict]) -> list[Action]:
    """Actions as agreed in a dialogue, not added to a session (`rows_of_new` writes them)."""
    return [_new_action(dialogue_id, spec) for spec in specs]


def _new_action(dialogue_id: str, spec: dict) -> Action:
    now = utcnow()
    return Action(id=str(new_uuid()), dialogue_id=dialogue_id, status="open",
                  created_at=now, updated_at=now,
                  **{name: spec[name] for name in NEW_ACTION_FIELDS})


def rows_of_new(agreed: list[Action]) -> tuple[Table, list[dict]]:
    """The rows of new actions, to write with their dialogue's (shared.db.insert_rows)."""
    return Action.__table__, [
        {name: getattr(action, name) for name in NEW_ACTION_COLUMNS} for action in agreed
    ]


def in_creation_order(agreed: list[Action]) -> list[Action]:
    """New actions in the order `ids_of_dialogue` lists them."""
    return sorted(agreed, key=lambda action: (action.created_at, action.id))


def soonest_first(agreed: list[Action]) -> list[Action]:
    """New actions in the order `of_dialogue` lists them."""
    return sorted(agreed, key=lambda action: (action.due_on, action.created_at, action.id))


def agreed_events(
    dialogue: Dialogue, agreed: list[Action], request_id: str | None
) -> list[dict]:
    """One action.agreed envelope per new action, for the caller to emit with its own."""
    return [
        events.envelope(
            type=events.ACTION_AGREED, subject=events.action_subject(action.id),
            request_id=request_id, data={
                **events.action_data(action, dialogue),
                "due_on": action.due_on.isoformat(), "focus_area": action.focus_area,
                "commitment": action.commitment, "status": action.status,
            })
        for action in agreed
    ]


def ids_of_dialogue(session: Session, dialogue_id: str) -> list[str]:
    """The ids of a dialogue's actions, oldest first."""
    return list(session.scalars(
        select(Action.id).where(Action.dialogue_id == dialogue_id)
        .order_by(Action.created_at, Action.id)
    ))


def of_dialogue(session: Session, dialogue_id: str) -> list[Action]:
    """A dialogue's actions, soonest due first."""
    return list(session.scalars(
        select(Action).where(Action.dialogue_id == dialogue_id)
        .order_by(Action.due_on, Action.created_at, Action.id)
    ))


def describe(session: Session, action: Action) -> dict:
    """The action with its history, as the API shows it."""
    [described] = describe_all(session, [action])
    return described


def describe_all(session: Session, listed: list[Action]) -> list[dict]:
    """Actions with their histories, as the API shows them; one query for every history."""
    histories: dict[str, list[ActionChange]] = {action.id: [] for action in listed}
    if histories:
        for change in session.scalars(
            select(ActionChange).where(ActionChange.action_id.in_(list(histories)))
            .order_by(ActionChange.id)
        ):
            histories[change.action_id].append(change)
    return [
        {
            **{name: getattr(action, name) for name in (
                "id", "dialogue_id", *NEW_ACTION_FIELDS, "status", "created_at", "updated_at",
                "completed_at",
            )},
            "reflection": action.completion_reflection,
            "history": histories[action.id],
        }
        for action in listed
    ]


def list_actions(
    session: Session, *, principal: Principal, today: date, page: int, page_size: int,
    owner_id: str | None = None, unit_id: str | None = None,
    statuses: list[str] | None = None, overdue: bool | None = None,
    owner_left: bool | None = None,
) -> tuple[list[dict], int]:
    """One page of the actions the principal may see, soonest due first, and their total.

    Each comes with its dialogue's unit, setting and day, or None for those three where
    the principal owns the action but may not read its dialogue, and the day its owner left.
    `owner_left`: only the open and in-progress ones whose owner left, of the dialogues the
    principal leads (who gives them a new owner), or only the others.
    """
    ensure_may_list_texts(principal)
    dialogue_readable = readable_dialogues(principal)
    conditions = [readable_actions(principal, dialogue_readable)]
    if owner_id is not None:
        conditions.append(Action.owner_id == owner_id)
    if unit_id is not None:  # matches only what the answer shows: a dialogue one may read
        conditions.append(and_(dialogue_readable, Dialogue.unit_id == unit_id))
    if statuses:
        conditions.append(Action.status.in_(statuses))
    if overdue is not None:
        is_overdue = and_(Action.status.not_in(FINAL_STATUSES), Action.due_on < today)
        conditions.append(is_overdue if overdue else not_(is_overdue))
    if owner_left is not None:
        orphaned = and_(Action.status.not_in(FINAL_STATUSES), Action.owner_id.in_(
            select(Person.id).where(Person.left_on.is_not(None))))
        conditions.append(and_(orphaned, Dialogue.leader_id == principal.sub) if owner_left
                          else not_(orphaned))
    total = session.scalar(
        select(func.count()).select_from(Action).join(Dialogue, Dialogue.id == Action.dialogue_id)
        .where(*conditions)
    )
    rows = session.execute(
        listed_with_dialogue(dialogue_readable).where(*conditions)
        .order_by(Action.due_on, Action.id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return list_items(session, rows), total


def listed_with_dialogue(dialogue_readable: ColumnElement[bool]) -> Select:
    """Actions joined to their dialogues, with what `list_items` needs of each: the dialogue's
    facts, whether the principal may read it (`dialogue_readable`: readable_dialogues) and
    the day the owner left."""
    return (
        select(Action, *(getattr(Dialogue, name) for name in DIALOGUE_FACTS),
               dialogue_readable.label("dialogue_readable"),
               _OWNER.left_on.label("owner_left_on"))
        .join(Dialogue, Dialogue.id == Action.dialogue_id)
        .join(_OWNER, _OWNER.id == Action.owner_id)
    )


def list_items(session: Session, rows) -> list[dict]:
    """Rows of `listed_with_dialogue` as the list shows them: each action with its history
    (one query for all), the day its owner left and its dialogue's facts, None for those
    where the dialogue may not be read."""
    described = describe_all(session, [row.Action for row in rows])
    return [
        {**item, "owner_left_on": row.owner_left_on,
         **{name: getattr(row, name) if row.dialogue_readable else None
            for name in DIALOGUE_FACTS}}
        for item, row in zip(described, rows, strict=True)
    ]


def get(session: Session, *, principal: Principal, action_id: str) -> dict:
    """An action its owner or a reader of its dialogue asks for."""
    action, _dialogue = _visible(session, principal, action_id)
    return describe(session, action)


def change(
    session: Session, *, principal: Principal, action_id: str, status: str | None = None,
    due_on: date | None = None, owner_id: str | None = None, reason: str | None = None,
    request_id: str | None = None,
) -> dict:
    """Change the status, renegotiate the due date and/or give the action a new owner (the
    dialogue's leader alone: an owner does not hand it on); done and dropped are final."""
    action, dialogue = _changeable(session, principal, action_id)
    new_owner = owner_id is not None and owner_id != action.owner_id
    if new_owner and principal.sub != dialogue.leader_id:
        raise Forbidden("only the dialogue's leader gives the action a new owner")
    if due_on is not None and due_on < dialogue.held_on:
        raise Invalid.field("due_on", "due before the dialogue was held")
    if new_owner:
        _ensure_may_own(session, principal, owner_id)
    _apply(session, action, dialogue, by=principal.sub, status=status or action.status,
           due_on=due_on or action.due_on, owner_id=owner_id or action.owner_id, reason=reason,
           reflection=None, request_id=request_id)
    return describe(session, action)


def _ensure_may_own(session: Session, leader: Principal, person_id: str) -> None:
    """A new owner works here (has neither left nor been erased) and is one of the people the
    leader may see (access.readable_people), so that the action's title reaches no one
    outside the leader's part of the organisation, and no one's existence is told."""
    found = session.scalar(select(Person.id).where(
        Person.id == person_id, Person.left_on.is_(None), Person.erased_at.is_(None),
        readable_people(session, leader),
    ))
    if found is None:
        raise Invalid.field("owner_id", f"there is no person {person_id!r} among the people "
                                        "of your units who have not left")


def complete(
    session: Session, *, principal: Principal, action_id: str, reflection: str,
    request_id: str | None = None,
) -> dict:
    """Mark the action done with a short reflection on how it went."""
    action, dialogue = _changeable(session, principal, action_id)
    _apply(session, action, dialogue, by=principal.sub, status="done", due_on=action.due_on,
           owner_id=action.owner_id, reason=None, reflection=reflection, request_id=request_id)
    return describe(session, action)


def _visible(session: Session, principal: Principal, action_id: str) -> tuple[Action, Dialogue]:
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound(f"action {action_id} not found")
    dialogue = session.get(Dialogue, action.dialogue_id)
    if principal.sub == action.owner_id:
        return action, dialogue
    try:
        ensure_may_read_dialogue(session, principal, dialogue)
    except NotFound:
        raise NotFound(f"action {action_id} not found") from None
    return action, dialogue


def _changeable(session: Session, principal: Principal, action_id: str) -> tuple[Action, Dialogue]:
    action, dialogue = _visible(session, principal, action_id)
    if principal.sub not in (action.owner_id, dialogue.leader_id):
        raise Forbidden("only the action's owner or the dialogue's leader changes it")
    if action.status in FINAL_STATUSES:
        raise Conflict(f"the action is {action.status}; that is final")
    return action, dialogue


def _apply(
    session: Session, action: Action, dialogue: Dialogue, *, by: str, status: str, due_on: date,
    owner_id: str, reason: str | None, reflection: str | None, request_id: str | None,
) -> None:
    before_status, before_due, before_owner = action.status, action.due_on, action.owner_id
    if (status, due_on, owner_id) == (before_status, before_due, before_owner):
        return
    now = utcnow()
    completed = status == "done"
    # Guarded by the state we read, so of two concurrent changes only one applies.
    applied = session.execute(
        update(Action)
        .where(Action.id == action.id, Action.status == before_status,
               Action.due_on == before_due, Action.owner_id == before_owner)
        .values(status=status, due_on=due_on, owner_id=owner_id, updated_at=now,
                completed_at=now if completed else None, completion_reflection=reflection)
    ).rowcount
    if applied != 1:
        session.rollback()
        raise Conflict("the action was changed meanwhile; read it again")
    # Every change marks the figures, as the store asks; an owner counts in none of them.
    insight_store.mark(session, dialogue.unit_id, dialogue.held_on)
    if due_on != before_due:
        session.add(ActionChange(action_id=action.id, kind="due_on", old_value=str(before_due),
                                 new_value=str(due_on), reason=reason, changed_by=by,
                                 changed_at=now))
    if status != before_status:
        session.add(ActionChange(action_id=action.id, kind="completed" if completed else "status",
                                 old_value=before_status, new_value=status, reason=reason,
                                 changed_by=by, changed_at=now))
    data = {**events.action_data(action, dialogue), "owner_id": owner_id}
    if owner_id != before_owner:
        session.add(ActionChange(action_id=action.id, kind="owner", old_value=before_owner,
                                 new_value=owner_id, reason=reason, changed_by=by,
                                 changed_at=now))
    if completed:
        event_type, data = events.ACTION_COMPLETED, {**data, "completed_at": now.isoformat()}
    else:
        event_type, data = events.ACTION_UPDATED, {
            **data, "status": status, "previous_status": before_status,
            "due_on": due_on.isoformat(), "previous_due_on": before_due.isoformat(),
            "previous_owner_id": before_owner,
        }
    events.emit(session, type=event_type, subject=events.action_subject(action.id), data=data,
                request_id=request_id)
    session.commit()
    session.refresh(action)
