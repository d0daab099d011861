"""A dialogue (the summary email's link): facts, answers, balance, actions, revisions."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, render_template

from services.web import session
from services.web.framework_texts import framework_texts
from services.web.pages.read_log import reads_of
from services.web.people import names_of

blp = Blueprint("dialogues", __name__)


@blp.get("/dialogues/<dialogue_id>")
@session.sign_in_required
def show(dialogue_id: str):
    dialogue = session.get("assessment", f"/api/v1/dialogues/{dialogue_id}")
    revisions = session.get("assessment", f"/api/v1/dialogues/{dialogue_id}/revisions")
    texts = framework_texts(dialogue["framework_version"])
    unit = session.get("assessment", f"/api/v1/units/{dialogue['unit_id']}")
    named = dialogue.get("people", {})
    recorders = {revision["recorded_by"] for revision in revisions} - set(named)
    amendable = is_leader(dialogue) and within_amendable_days(dialogue)
    return render_template(
        "pages/dialogue.html", dialogue=dialogue, revisions=revisions, texts=texts, unit=unit,
        names={**names_of(recorders), **named}, amendable=amendable,
        balance=_balance(dialogue, texts), reads=reads_of(dialogue_id),
    )


def is_leader(dialogue: dict) -> bool:
    """Whether the signed-in person is the dialogue's leader (who alone amends it)."""
    return dialogue["leader_id"] == session.me()["sub"]


def within_amendable_days(dialogue: dict) -> bool:
    """Whether the dialogue's days for amendments (14 after its recording) still run."""
    return datetime.fromisoformat(dialogue["amendable_until"]) > datetime.now(UTC)


def _balance(dialogue: dict, texts) -> list[dict]:
    """Each focus area's rating and weight, in the framework's order."""
    by_area = {rating["focus_area"]: rating for rating in dialogue["focus_areas"]}
    return [{"key": area["key"], "title": area["title"], **by_area[area["key"]]}
            for area in texts.focus_areas if area["key"] in by_area]
