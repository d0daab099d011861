"""What each event means for notify: jobs to send now and reminder rows to write."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.notify import scheduling
from services.notify.config import Policy

FINISHED = ("done", "dropped")


def handle_event(session: Session, event: dict, *, policy: Policy, now: datetime) -> list[dict]:
    """Write the event's reminder rows in session; return the jobs to send right away."""
    kind = event["type"].removeprefix("lederdialog.")
    data = event["data"]
    args = {"policy": policy, "now": now}
    if kind == "dialogue.recorded.v1":
        scheduling.plan_follow_up(session, data=data, **args)
        return [{"kind": "dialogue_summary", "source": event["id"], "data": data,
                 "request_id": event.get("requestid")}]
    if kind == "dialogue.amended.v1":
        scheduling.move_follow_up(session, data=data, **args)
    elif kind == "action.agreed.v1" and data.get("status") not in FINISHED:
        scheduling.plan_action(session, data=data, **args)
    elif kind == "action.updated.v1":
        if data["status"] in FINISHED:
            scheduling.cancel_action(session, action_id=data["action_id"])
        elif data.get("due_on") != data.get("previous_due_on"):
            scheduling.move_action(session, data=data, **args)
    elif kind == "action.completed.v1":
        scheduling.cancel_action(session, action_id=data["action_id"])
    elif kind == "framework.published.v1":
        return [{"kind": "framework_changed", "source": event["id"], "data": data,
                 "request_id": event.get("requestid")}]
    elif kind == "person.erased.v1":
        scheduling.erase_person(session, person_id=data["person_id"])
    return []
