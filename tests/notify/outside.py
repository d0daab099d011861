"""Data from before an action's owner had to take part in its dialogue.

The assessment API now refuses an owner outside the dialogue, but dialogues recorded
earlier may have one; tests make them by writing the owner straight into the database.
"""

from __future__ import annotations

from sqlalchemy import update

from services.assessment.models import Action


def hand_to_outsider(assessment_sessions, action_id: str, person_id: str) -> None:
    """Make person_id the owner of the action, as a dialogue from before the rule may have."""
    with assessment_sessions() as session:
        session.execute(update(Action).where(Action.id == action_id).values(owner_id=person_id))
        session.commit()
