"""The events dialogues and actions put in the outbox: ids and facts, never personal text."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.orm import Session

from services.assessment.models import Action, Dialogue, Outbox
from shared import outbox
from shared.events import new_event

EVENT_SOURCE = "/lederdialog/assessment"
DIALOGUE_RECORDED = "lederdialog.dialogue.recorded.v1"
DIALOGUE_AMENDED = "lederdialog.dialogue.amended.v1"
ACTION_AGREED = "lederdialog.action.agreed.v1"
ACTION_UPDATED = "lederdialog.action.updated.v1"
ACTION_COMPLETED = "lederdialog.action.completed.v1"


def envelope(*, type: str, subject: str, data: dict, request_id: str | None) -> dict:
    """One event of this service, for `emit_all`."""
    return new_event(
        type=type, source=EVENT_SOURCE, subject=subject, data=data, request_id=request_id
    )


def emit(
    session: Session, *, type: str, subject: str, data: dict, request_id: str | None
) -> None:
    """Add one event to the outbox in the session's (still open) transaction."""
    emit_all(session, [envelope(type=type, subject=subject, data=data, request_id=request_id)])


def emit_all(session: Session, envelopes: list[dict]) -> None:
    """Add events to the outbox, in order, in the session's (still open) transaction."""
    outbox.record_envelopes(session, Outbox, envelopes)


def outbox_rows(envelopes: list[dict]) -> tuple[Table, list[dict]]:
    """The outbox rows of events, to write with other rows (shared.db.insert_rows)."""
    return outbox.outbox_rows(Outbox, envelopes)


def dialogue_data(
    dialogue: Dialogue, *, participant_ids: list[str], action_ids: list[str],
    focus_weights: dict[str, int],
) -> dict:
    """The payload of dialogue.recorded and dialogue.amended."""
    return {
        "dialogue_id": dialogue.id,
        "revision": dialogue.revision,
        "unit_id": dialogue.unit_id,
        "leader_id": dialogue.leader_id,
        "setting": dialogue.setting,
        "held_on": dialogue.held_on.isoformat(),
        "framework_version": dialogue.framework_version,
        "visibility": dialogue.visibility,
        "follow_up_on": dialogue.follow_up_on.isoformat(),
        "participant_ids": participant_ids,
        "action_ids": action_ids,
        "focus_weights": focus_weights,
    }


def action_data(action: Action, dialogue: Dialogue) -> dict:
    """What every action event carries: whose action it is and where it belongs."""
    return {
        "action_id": action.id,
        "dialogue_id": dialogue.id,
        "unit_id": dialogue.unit_id,
        "leader_id": dialogue.leader_id,
        "owner_id": action.owner_id,
    }


def dialogue_subject(dialogue_id: str) -> str:
    return f"dialogues/{dialogue_id}"


def action_subject(action_id: str) -> str:
    return f"actions/{action_id}"
