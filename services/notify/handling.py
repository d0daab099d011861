"""What each event means for notify: one small handler per type, in HANDLERS.

A handler gets the event's data as its schema has it (shared/event_schemas.py), writes
reminder rows in the session's transaction and returns the jobs to send right away. The
caller (intake.take) checks the data, owns the transaction and hands the jobs on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from services.notify import scheduling
from services.notify.config import Policy

FINISHED = ("done", "dropped")


@dataclass(frozen=True)
class Context:
    """What every handler may use besides the data: the session, the envelope, the policy."""

    session: Session
    event: dict
    policy: Policy
    now: datetime

    def job(self, kind: str, data: dict) -> dict:
        """A job that sends `kind` for this event (its id is the emails' idempotency source)."""
        return {"kind": kind, "source": self.event["id"], "data": data,
                "request_id": self.event.get("requestid")}

    def schedule(self, planner: Callable, data: dict) -> None:
        """Run one of scheduling's planners on data in this context."""
        planner(self.session, data=data, policy=self.policy, now=self.now)


Handler = Callable[[Context, dict], list[dict]]


def dialogue_recorded(ctx: Context, data: dict) -> list[dict]:
    """The summary at once; the follow-up prompt on its date."""
    ctx.schedule(scheduling.plan_follow_up, data)
    return [ctx.job("dialogue_summary", data)]


def dialogue_amended(ctx: Context, data: dict) -> list[dict]:
    """A changed follow-up date replaces the pending prompt."""
    ctx.schedule(scheduling.move_follow_up, data)
    return []


def action_agreed(ctx: Context, data: dict) -> list[dict]:
    """The reminders and escalations of the due date."""
    if data["status"] not in FINISHED:
        ctx.schedule(scheduling.plan_action, data)
    return []


def action_updated(ctx: Context, data: dict) -> list[dict]:
    """Finished: call the reminders off; a new due date: move them."""
    if data["status"] in FINISHED:
        scheduling.cancel_action(ctx.session, action_id=data["action_id"])
    elif data["due_on"] != data["previous_due_on"]:
        ctx.schedule(scheduling.move_action, data)
    return []


def action_completed(ctx: Context, data: dict) -> list[dict]:
    scheduling.cancel_action(ctx.session, action_id=data["action_id"])
    return []


def framework_published(ctx: Context, data: dict) -> list[dict]:
    """Every unit's leader hears what changed, at once."""
    return [ctx.job("framework_changed", data)]


def person_erased(ctx: Context, data: dict) -> list[dict]:
    scheduling.erase_person(ctx.session, person_id=data["person_id"])
    return []


HANDLERS: dict[str, Handler] = {
    "lederdialog.dialogue.recorded.v1": dialogue_recorded,
    "lederdialog.dialogue.amended.v1": dialogue_amended,
    "lederdialog.action.agreed.v1": action_agreed,
    "lederdialog.action.updated.v1": action_updated,
    "lederdialog.action.completed.v1": action_completed,
    "lederdialog.framework.published.v1": framework_published,
    "lederdialog.person.erased.v1": person_erased,
}
