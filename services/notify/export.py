"""What notify keeps about a person, for their export (GDPR Art. 15): the emails sent or
tried to them, the reminders planned for them, and the emails to them given up on.

Kinds, states and times only: notify keeps no email's text (it is written when sent).
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from services.notify.models import PENDING, DeadLetter, Delivery, Reminder

# Each list holds at most this many rows: the newest (the soonest, of the planned).
LIMIT = 1000
# Whom each reminder is for (services/notify/mailings.py): the action's owner, the
# dialogue's leader. An escalation (action_escalated) is for the leader's leader and the
# unit's TRIO, looked up when it is due, so it is planned for no one by name.
FOR_OWNER = ("action_reminder", "action_due", "action_overdue")
FOR_LEADER = ("action_overdue", "follow_up")


def emails_of(session: Session, person_id: str) -> dict:
    """The person's deliveries (newest first), planned reminders (soonest first) and dead
    letters (newest failure first); `truncated` names the lists cut at LIMIT."""
    planned = select(Reminder).where(Reminder.status == PENDING, or_(
        and_(Reminder.owner_id == person_id, Reminder.kind.in_(FOR_OWNER)),
        and_(Reminder.leader_id == person_id, Reminder.kind.in_(FOR_LEADER)),
    )).order_by(Reminder.due_at, Reminder.id)
    lists = {
        "deliveries": select(Delivery).where(Delivery.person_id == person_id)
        .order_by(Delivery.updated_at.desc(), Delivery.key),
        "planned": planned,
        "dead_letters": select(DeadLetter).where(DeadLetter.person_id == person_id)
        .order_by(DeadLetter.failed_at.desc(), DeadLetter.id.desc()),
    }
    answer = {"person_id": person_id, "truncated": []}
    for name, query in lists.items():
        rows = list(session.scalars(query.limit(LIMIT + 1)))
        if len(rows) > LIMIT:
            answer["truncated"].append(name)
        answer[name] = rows[:LIMIT]
    return answer
