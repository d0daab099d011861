"""Agreed actions: created with their dialogue, then followed through to done or dropped."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, Table, and_, func, not_, select, update
from sqlalchemy.orm import Session

from services.assessment import dialogue_events as events
from services.assessment import insight_store
from services.assessment.access import (
    ensure_may_list_texts,
    ensure_may_read_dialogue,
    readable_actions,
    readable_dialogues,
)
from services.assessment.errors import Conflict, Forbidden, Invalid, NotFound
from services.assessment.models import Action, ActionChange, Dialogue
from shared.auth import Principal
from shared.ids import new_uuid
from shared.outbox import utcnow

FINAL_STATUSES = frozenset({"done", "dropped"})
# What a listed action shows of its dialogue, to those who may read the dialogue.
DIALOGUE_FACTS = ("unit_id", "setting", "held_on")
NEW_ACTION_FIELDS = ("title", "owner_id", "due_on", "focus_area", "commitment")
NEW_ACTION_COLUMNS = ("id", "dialogue_id", "status", "created_at", "updated_at",
                      *NEW_ACTION_FIELDS)


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
) -> tuple[list[dict], int]:
    """One page of the actions the principal may see, soonest due first, and their total.

    Each comes with its dialogue's unit, setting and day, or None for those three where
    the principal owns the action but may not read its dialogue.
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
    facts and whether the principal may read it (`dialogue_readable`: readable_dialogues)."""
    return (
        select(Action, *(getattr(Dialogue, name) for name in DIALOGUE_FACTS),
               dialogue_readable.label("dialogue_readable"))
        .join(Dialogue, Dialogue.id == Action.dialogue_id)
    )


def list_items(session: Session, rows) -> list[dict]:
    """Rows of `listed_with_dialogue` as the list shows them: each action with its history
    (one query for all) and its dialogue's facts, None for those where the dialogue may
    not be read."""
    described = describe_all(session, [row.Action for row in rows])
    return [
        {**item, **{name: getattr(row, name) if row.dialogue_readable else None
                    for name in DIALOGUE_FACTS}}
        for item, row in zip(described, rows, strict=True)
    ]


def get(session: Session, *, principal: Principal, action_id: str) -> dict:
    """An action its owner or a reader of its dialogue asks for."""
    action, _dialogue = _visible(session, principal, action_id)
    return describe(session, action)


def change(
    session: Session, *, principal: Principal, action_id: str, status: str | None = None,
    due_on: date | None = None, reason: str | None = None, request_id: str | None = None,
) -> dict:
    """Change the status and/or renegotiate the due date; done and dropped are final."""
    action, dialogue = _changeable(session, principal, action_id)
    if due_on is not None and due_on < dialogue.held_on:
        raise Invalid.field("due_on", "due before the dialogue was held")
    _apply(session, action, dialogue, by=principal.sub, status=status or action.status,
           due_on=due_on or action.due_on, reason=reason, reflection=None, request_id=request_id)
    return describe(session, action)


def complete(
    session: Session, *, principal: Principal, action_id: str, reflection: str,
    request_id: str | None = None,
) -> dict:
    """Mark the action done with a short reflection on how it went."""
    action, dialogue = _changeable(session, principal, action_id)
    _apply(session, action, dialogue, by=principal.sub, status="done", due_on=action.due_on,
           reason=None, reflection=reflection, request_id=request_id)
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
    reason: str | None, reflection: str | None, request_id: str | None,
) -> None:
    before_status, before_due = action.status, action.due_on
    if (status, due_on) == (before_status, before_due):
        return
    now = utcnow()
    completed = status == "done"
    # Guarded by the state we read, so of two concurrent changes only one applies.
    applied = session.execute(
        update(Action)
        .where(Action.id == action.id, Action.status == before_status,
               Action.due_on == before_due)
        .values(status=status, due_on=due_on, updated_at=now,
                completed_at=now if completed else None, completion_reflection=reflection)
    ).rowcount
    if applied != 1:
        session.rollback()
        raise Conflict("the action was changed meanwhile; read it again")
    insight_store.mark(session, dialogue.unit_id, dialogue.held_on)
    if due_on != before_due:
        session.add(ActionChange(action_id=action.id, kind="due_on", old_value=str(before_due),
                                 new_value=str(due_on), reason=reason, changed_by=by,
                                 changed_at=now))
    if status != before_status:
        session.add(ActionChange(action_id=action.id, kind="completed" if completed else "status",
                                 old_value=before_status, new_value=status, reason=reason,
                                 changed_by=by, changed_at=now))
    data = events.action_data(action, dialogue)
    if completed:
        event_type, data = events.ACTION_COMPLETED, {**data, "completed_at": now.isoformat()}
    else:
        event_type, data = events.ACTION_UPDATED, {
            **data, "status": status, "previous_status": before_status,
            "due_on": due_on.isoformat(), "previous_due_on": before_due.isoformat(),
        }
    events.emit(session, type=event_type, subject=events.action_subject(action.id), data=data,
                request_id=request_id)
    session.commit()
    session.refresh(action)
