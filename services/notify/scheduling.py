"""Reminders as rows with a due time: planned from events, moved, cancelled, and polled.

Keys name the date a row was planned for, so a renegotiated due date plans new
rows (new idempotency keys) instead of reusing the ones already sent.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from services.notify.config import Policy
from services.notify.models import CANCELLED, ENQUEUED, PENDING, Reminder
from shared.db import conflict_insert
from shared.outbox import utcnow

ACTION_FIELDS = ("action_id", "dialogue_id", "unit_id", "leader_id", "owner_id", "due_on")
# The reminders an action's owner alone is sent (mailings: ActionMailing with the roles
# ("owner",)); the overdue notice also goes to the dialogue's leader, the escalation above.
OWNER_ALONE = ("action_reminder", "action_due")
DIALOGUE_FIELDS = ("dialogue_id", "unit_id", "leader_id", "setting", "visibility",
                   "framework_version", "follow_up_on", "focus_weights")


def send_time(day: date, policy: Policy) -> datetime:
    """When an email meant for a day goes out: the policy's hour there, in UTC."""
    return datetime.combine(day, time(policy.send_hour), tzinfo=policy.zone).astimezone(UTC)


def today(policy: Policy, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(policy.zone).date()


def _insert(session: Session, rows: list[dict]) -> None:
    if not rows:
        return
    session.execute(conflict_insert(session, Reminder.__table__).values(rows)
                    .on_conflict_do_nothing(index_elements=["key"]))


def _row(*, key: str, kind: str, data: dict, on: date, policy: Policy, **ids) -> dict:
    now = utcnow()
    return {
        "key": key, "kind": kind, "data": {**data, "send_on": on.isoformat()},
        "due_at": send_time(on, policy), "status": PENDING, "created_at": now,
        "updated_at": now, "action_id": None, "owner_id": None, **ids,
    }


def plan_action(session: Session, *, data: dict, policy: Policy, now: datetime) -> None:
    """The reminders and escalations of an action's due date (days already past are skipped)."""
    due = date.fromisoformat(data["due_on"])
    facts = {field: data[field] for field in ACTION_FIELDS}
    plan = [
        ("action_reminder", due - timedelta(days=policy.reminder_days_before)),
        ("action_due", due),
        ("action_overdue", due + timedelta(days=policy.escalate_owner_after_days)),
        ("action_escalated", due + timedelta(days=policy.escalate_up_after_days)),
    ]
    first_day = today(policy, now)
    _insert(session, [
        _row(key=f"action:{data['action_id']}:{kind}:{due.isoformat()}", kind=kind, data=facts,
             on=on, policy=policy, action_id=data["action_id"], dialogue_id=data["dialogue_id"],
             owner_id=data["owner_id"], leader_id=data["leader_id"])
        for kind, on in plan if on >= first_day
    ])


def cancel_action(session: Session, *, action_id: str) -> None:
    """Call off every pending reminder and escalation of an action (done or dropped)."""
    session.execute(
        update(Reminder).where(Reminder.action_id == action_id, Reminder.status == PENDING)
        .values(status=CANCELLED, updated_at=utcnow())
    )


def move_action(session: Session, *, data: dict, policy: Policy, now: datetime) -> None:
    """A renegotiated due date: pending rows of the old date give way to the new date's."""
    cancel_action(session, action_id=data["action_id"])
    plan_action(session, data=data, policy=policy, now=now)


def plan_follow_up(session: Session, *, data: dict, policy: Policy, now: datetime) -> None:
    """The prompt to the leader (and TRIO) on a dialogue's follow-up date."""
    on = date.fromisoformat(data["follow_up_on"])
    if on < today(policy, now):
        return
    facts = {field: data[field] for field in DIALOGUE_FIELDS}
    _insert(session, [_row(
        key=f"dialogue:{data['dialogue_id']}:follow_up:{on.isoformat()}", kind="follow_up",
        data=facts, on=on, policy=policy, dialogue_id=data["dialogue_id"],
        leader_id=data["leader_id"],
    )])


def move_follow_up(session: Session, *, data: dict, policy: Policy, now: datetime) -> None:
    """An amended dialogue: a changed follow-up date replaces the pending prompt."""
    session.execute(
        update(Reminder).where(
            Reminder.dialogue_id == data["dialogue_id"], Reminder.kind == "follow_up",
            Reminder.status == PENDING,
            Reminder.key != f"dialogue:{data['dialogue_id']}:follow_up:{data['follow_up_on']}",
        ).values(status=CANCELLED, updated_at=utcnow())
    )
    plan_follow_up(session, data=data, policy=policy, now=now)


def cancel_person(session: Session, *, person_id: str) -> None:
    """Call off the pending reminders about the person's actions and the dialogues they lead
    (the person was erased)."""
    session.execute(
        update(Reminder).where(
            or_(Reminder.owner_id == person_id, Reminder.leader_id == person_id),
            Reminder.status == PENDING,
        ).values(status=CANCELLED, updated_at=utcnow())
    )


def cancel_for_leaver(session: Session, *, person_id: str, left_on: date, policy: Policy) -> None:
    """Call off the reminders meant for the person alone, from the day they left: a reminder
    and the due date go to an action's owner alone. The dialogue's leader still hears that
    the action is overdue, and those above that it is escalated, until it has a new owner;
    the dialogues the person led keep their follow-up prompt, for the unit's TRIO."""
    session.execute(
        update(Reminder).where(
            Reminder.owner_id == person_id, Reminder.kind.in_(OWNER_ALONE),
            Reminder.status == PENDING, Reminder.due_at >= send_time(left_on, policy),
        ).values(status=CANCELLED, updated_at=utcnow())
    )


def hand_over_action(session: Session, *, data: dict, now: datetime) -> None:
    """An action with a new owner: its reminders of the due date it has now are theirs.
    Pending ones move to them, and those still ahead that were called off (their owner left
    or was erased) come back."""
    for row in session.scalars(select(Reminder).where(
        Reminder.action_id == data["action_id"], Reminder.owner_id != data["owner_id"],
        Reminder.status.in_((PENDING, CANCELLED)),
    )):
        if row.data["due_on"] != data["due_on"] or (row.status == CANCELLED
                                                   and row.due_at <= now):
            continue
        row.owner_id, row.status = data["owner_id"], PENDING
        row.data = {**row.data, "owner_id": data["owner_id"]}


def take_due(session: Session, *, now: datetime, limit: int) -> list[Reminder]:
    """Pending rows whose time has come, locked for this poller (others skip them)."""
    return list(session.scalars(
        select(Reminder).where(Reminder.status == PENDING, Reminder.due_at <= now)
        .order_by(Reminder.due_at, Reminder.id).limit(limit).with_for_update(skip_locked=True)
    ))


def mark_enqueued(session: Session, rows: list[Reminder]) -> None:
    for row in rows:
        row.status = ENQUEUED


def backlog(session: Session, *, now: datetime) -> dict[str, int]:
    """How many pending rows are due already and how many are scheduled for later."""
    due = Reminder.due_at <= now
    counts = dict(session.execute(
        select(due, func.count()).where(Reminder.status == PENDING).group_by(due)
    ).all())
    return {"due": counts.get(True, 0), "scheduled": counts.get(False, 0)}


def job_for(row: Reminder) -> dict:
    """The queue job that sends a reminder row."""
    return {"kind": row.kind, "source": row.key, "data": row.data}
