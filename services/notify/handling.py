"""What each event means for notify: one small handler per type, in HANDLERS.

A handler gets the event's data as its schema has it (shared/event_schemas.py), writes
reminder rows in the session's transaction and returns the jobs to send right away. The
caller (intake.take) checks the data, owns the transaction and hands the jobs on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from services.notify import erasure, scheduling
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
    """Finished: call the reminders off; a new due date: move them; a new owner (the old one
    left): hand them over."""
    if data["status"] in FINISHED:
        scheduling.cancel_action(ctx.session, action_id=data["action_id"])
    elif data["due_on"] != data["previous_due_on"]:
        ctx.schedule(scheduling.move_action, data)
    else:
        scheduling.hand_over_action(ctx.session, data=data, now=ctx.now)
    return []


def action_completed(ctx: Context, data: dict) -> list[dict]:
    scheduling.cancel_action(ctx.session, action_id=data["action_id"])
    return []


def framework_published(ctx: Context, data: dict) -> list[dict]:
    """Every unit's leader hears what changed, at once."""
    return [ctx.job("framework_changed", data)]


def person_erased(ctx: Context, data: dict) -> list[dict]:
    """Never mail them again; the pseudonym replaces their id in notify's records."""
    erasure.erase(ctx.session, person_id=data["person_id"], pseudonym=data["pseudonym"])
    return []


def person_left(ctx: Context, data: dict) -> list[dict]:
    """Nothing more meant for them alone; the leaders of their open actions' dialogues are
    told that those need a new owner."""
    scheduling.cancel_for_leaver(ctx.session, person_id=data["person_id"],
                                 left_on=date.fromisoformat(data["left_on"]),
                                 policy=ctx.policy)
    return [ctx.job("actions_to_reassign", data)] if data["open_action_ids"] else []


def _as_known_now(handler: Handler) -> Handler:
    """The handler, given the data with the ids of people erased since the event was made
    replaced by their pseudonyms: an event handled late keeps no former id."""

    def handle(ctx: Context, data: dict) -> list[dict]:
        return handler(ctx, erasure.as_known_now(ctx.session, data))

    handle.__doc__ = handler.__doc__
    return handle


HANDLERS: dict[str, Handler] = {
    "lederdialog.dialogue.recorded.v1": _as_known_now(dialogue_recorded),
    "lederdialog.dialogue.amended.v1": _as_known_now(dialogue_amended),
    "lederdialog.action.agreed.v1": _as_known_now(action_agreed),
    "lederdialog.action.updated.v1": _as_known_now(action_updated),
    "lederdialog.action.completed.v1": _as_known_now(action_completed),
    "lederdialog.framework.published.v1": framework_published,
    # Its person_id is the former id: what it erases.
    "lederdialog.person.erased.v1": person_erased,
    "lederdialog.person.left.v1": _as_known_now(person_left),
}
