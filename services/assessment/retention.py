"""Retention in the assessment service: what is past its period is removed, in batches.

- A dialogue's texts, RETENTION_DIALOGUE_TEXT_DAYS after the day it was held: every
  revision's answers, task, strengths and development areas become empty strings and the
  titles of its actions "—" (they are written in the dialogue, and may say as much as its
  answers), its actions' reflections and the reasons in their history go. What stays is
  the record's structure: the dates, people, ratings, weights, focus areas, actions and
  their owners, dates and states. Each revision says when (`texts_removed_at`).
- The dialogue itself, RETENTION_DIALOGUE_DAYS after the quarter it was held in has
  passed: its revisions, participants, ratings, actions, their history and its reads.
  The insight figures summed from it stay as they are: nothing marks its quarter for
  summing up again, so the balance of those quarters answers as before.
- The history of actions (RETENTION_ACTION_HISTORY_DAYS) and the read log
  (RETENTION_READ_LOG_DAYS), row by row. The outbox's published rows: shared/web/cli.py.

Every run removes only what is due, so running it again removes nothing more.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from services.assessment import insight_store
from services.assessment.models import (
    Action,
    ActionChange,
    Dialogue,
    DialogueRead,
    DialogueRevision,
    FocusRating,
    InsightStale,
    Participant,
)
from services.assessment.periods import quarter_of
from shared.retention import Retention, cutoff, delete_in_batches

DIALOGUES_PER_BATCH = 100  # each with its revisions, people, ratings, actions and reads
REMOVED_TITLE = "—"


def remove_expired(sessions: sessionmaker, periods: Retention, now: datetime) -> dict[str, int]:
    """Remove what is past its period as of `now`; how many of each kind were removed."""
    removed = {}
    horizon = cutoff(now, periods.dialogue_days)
    if horizon is not None:
        removed["dialogues"] = delete_dialogues(sessions, held_before=_quarter_start(horizon))
    before = cutoff(now, periods.dialogue_text_days)
    if before is not None:
        removed["dialogue_texts"] = remove_texts(sessions, held_before=before.date(), now=now)
    for kind, days, column in (
        ("action_changes", periods.action_history_days, ActionChange.changed_at),
        ("dialogue_reads", periods.read_log_days, DialogueRead.read_at),
    ):
        before = cutoff(now, days)
        if before is not None:
            removed[kind] = delete_in_batches(sessions, column.class_.id, column < before)
    return removed


def delete_dialogues(sessions: sessionmaker, *, held_before: date) -> int:
    """Delete the dialogues held before `held_before` (a quarter's first day) with all that
    is theirs, keeping the insight figures of their quarters; how many."""
    due = Dialogue.held_on < held_before
    with sessions() as session:
        if session.scalar(select(Dialogue.id).where(due).limit(1)) is None:
            return 0
        # Sum up first what is marked: the figures then hold every change to the dialogues.
        insight_store.refresh(session)
    deleted = 0
    while True:
        with sessions() as session, session.begin():
            ids = list(session.scalars(
                select(Dialogue.id).where(due).order_by(Dialogue.id).limit(DIALOGUES_PER_BATCH)))
            _delete_with_all_theirs(session, ids)
        deleted += len(ids)
        if len(ids) < DIALOGUES_PER_BATCH:
            break
    with sessions() as session, session.begin():
        # A mark written for one of them meanwhile would have its quarter summed up again
        # from the dialogues left; without it, the quarter keeps the figures summed above.
        session.execute(delete(InsightStale).where(InsightStale.held_on < held_before))
    return deleted


def _delete_with_all_theirs(session: Session, ids: list[str]) -> None:
    if not ids:
        return
    their_actions = select(Action.id).where(Action.dialogue_id.in_(ids))
    session.execute(delete(ActionChange).where(ActionChange.action_id.in_(their_actions)))
    session.execute(delete(DialogueRead).where(DialogueRead.dialogue_id.in_(ids)))
    for model in (Action, FocusRating, Participant, DialogueRevision):
        session.execute(delete(model).where(model.dialogue_id.in_(ids)))
    session.execute(delete(Dialogue).where(Dialogue.id.in_(ids)))


def remove_texts(sessions: sessionmaker, *, held_before: date, now: datetime) -> int:
    """Remove the texts of the dialogues held before that day whose texts are still there
    (or came back with an amendment); how many dialogues."""
    removed = 0
    while True:
        with sessions() as session, session.begin():
            ids = list(session.scalars(
                select(DialogueRevision.dialogue_id).distinct()
                .join(Dialogue, Dialogue.id == DialogueRevision.dialogue_id)
                .where(Dialogue.held_on < held_before,
                       DialogueRevision.texts_removed_at.is_(None))
                .order_by(DialogueRevision.dialogue_id).limit(DIALOGUES_PER_BATCH)))
            _remove_texts_of(session, ids, now=now)
        removed += len(ids)
        if len(ids) < DIALOGUES_PER_BATCH:
            return removed


def _remove_texts_of(session: Session, ids: list[str], *, now: datetime) -> None:
    if not ids:
        return
    revisions = session.execute(
        select(DialogueRevision.dialogue_id, DialogueRevision.revision, DialogueRevision.content)
        .where(DialogueRevision.dialogue_id.in_(ids), DialogueRevision.texts_removed_at.is_(None))
    ).all()
    session.execute(update(DialogueRevision), [
        {"dialogue_id": dialogue_id, "revision": revision, "content": without_texts(content),
         "texts_removed_at": now}
        for dialogue_id, revision, content in revisions
    ])
    their_actions = select(Action.id).where(Action.dialogue_id.in_(ids))
    # updated_at stays: nobody changed the action.
    session.execute(update(Action).where(Action.dialogue_id.in_(ids)).values(
        title=REMOVED_TITLE, completion_reflection=None, updated_at=Action.updated_at,
    ), execution_options={"synchronize_session": False})
    session.execute(update(ActionChange).where(ActionChange.action_id.in_(their_actions))
                    .values(reason=None), execution_options={"synchronize_session": False})


def _blank_area_texts(items: list[dict]) -> list[dict]:
    return [{**item, "text": ""} for item in items]


# How each text of a revision (dialogues.TEXTS) is blanked, its shape kept.
_BLANK = {
    "task_description": lambda text: None if text is None else "",
    "answers": lambda answers: dict.fromkeys(answers, ""),
    "strengths": _blank_area_texts,
    "development_areas": _blank_area_texts,
}


def without_texts(content: dict) -> dict:
    """A revision's content with its texts blanked: the keys of the answers, the focus areas
    of strengths and development areas, the people, ratings and actions (titled "—") stay."""
    blanked = {name: blank(content[name]) for name, blank in _BLANK.items() if name in content}
    if "actions" in content:
        blanked["actions"] = [{**action, "title": REMOVED_TITLE} for action in content["actions"]]
    return {**content, **blanked}


def _quarter_start(moment: datetime) -> date:
    """The first day of the quarter `moment` falls in: dialogues go by whole quarters."""
    return date(moment.year, 3 * quarter_of(moment) - 2, 1)
