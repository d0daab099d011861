"""A person's overview in one answer: their own open actions and, for each unit they lead,
this year's dialogues per setting, the follow-ups to come and the open actions; plain
functions, no Flask.

Everything shown passes the one access rule (services.assessment.access): the dialogues
the caller may read, the actions they may see, the names they may learn. Six statements
whatever the number of units: the units led; the caller's own actions; the units' actions
(ranked per unit; both lists with their owners' names); every listed action's history; the
counts in one GROUP BY; the follow-ups (ranked per unit).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from services.assessment import actions
from services.assessment.access import (
    ensure_may_list_texts,
    may_name_owner,
    readable_actions,
    readable_dialogues,
)
from services.assessment.models import SETTINGS, Action, Dialogue, Person, Unit
from shared.auth import Principal

MAX_ACTIONS = 200  # per list: the caller's own, and each unit's
MAX_FOLLOW_UPS = 50  # per unit


def describe(session: Session, *, principal: Principal, today: date) -> dict:
    """The caller's overview on `today` (Danish time: dialogue_rules.local_today).

    An HR admin holding no other role is refused (Forbidden), as the lists of actions and
    dialogues refuse them: the overview shows dialogue facts and action titles.
    """
    ensure_may_list_texts(principal)
    dialogue_readable = readable_dialogues(principal)
    led = sorted(session.scalars(select(Unit).where(Unit.leader_id == principal.sub)),
                 key=lambda unit: (unit.name.casefold(), unit.id))
    unit_ids = [unit.id for unit in led]
    own_rows = session.execute(
        _with_owner_name(actions.listed_with_dialogue(dialogue_readable))
        .where(readable_actions(principal, dialogue_readable),
               Action.owner_id == principal.sub,
               Action.status.not_in(actions.FINAL_STATUSES))
        .order_by(Action.due_on, Action.id).limit(MAX_ACTIONS)
    ).all()
    unit_rows = _units_open_actions(session, dialogue_readable, unit_ids, principal)
    items = actions.list_items(session, [*own_rows, *unit_rows])
    own, of_units = items[:len(own_rows)], items[len(own_rows):]
    held = _held(session, dialogue_readable, unit_ids, today.year)
    follow_ups = _follow_ups(session, dialogue_readable, unit_ids, today)
    return {
        "year": today.year,
        "today": today,
        "own_actions": own,
        "units": [{
            "unit": unit,
            "held": held[unit.id],
            "follow_ups": follow_ups[unit.id],
            "open_actions": [item for item in of_units if item["unit_id"] == unit.id],
        } for unit in led],
        "names": _names(principal, [*own_rows, *unit_rows]),
    }


def _units_open_actions(session: Session, dialogue_readable, unit_ids: list[str],
                        principal: Principal) -> list:
    """The open actions of the units' dialogues the caller may read, soonest due first,
    at most MAX_ACTIONS per unit; by unit."""
    if not unit_ids:
        return []
    ranked = (
        select(Action.id, func.row_number().over(
            partition_by=Dialogue.unit_id, order_by=(Action.due_on, Action.id)
        ).label("rank"))
        .join(Dialogue, Dialogue.id == Action.dialogue_id)
        .where(readable_actions(principal, dialogue_readable), dialogue_readable,
               Dialogue.unit_id.in_(unit_ids),
               Action.status.not_in(actions.FINAL_STATUSES))
        .subquery()
    )
    return session.execute(
        _with_owner_name(actions.listed_with_dialogue(dialogue_readable))
        .join(ranked, ranked.c.id == Action.id).where(ranked.c.rank <= MAX_ACTIONS)
        .order_by(Dialogue.unit_id, ranked.c.rank)
    ).all()


def _held(session: Session, dialogue_readable, unit_ids: list[str],
          year: int) -> dict[str, dict[str, int]]:
    """Per unit, the readable dialogues held in the year per setting, every setting named."""
    held = {unit_id: dict.fromkeys(SETTINGS, 0) for unit_id in unit_ids}
    if unit_ids:
        for unit_id, setting, count in session.execute(
            select(Dialogue.unit_id, Dialogue.setting, func.count())
            .where(dialogue_readable, Dialogue.unit_id.in_(unit_ids),
                   Dialogue.held_on >= date(year, 1, 1), Dialogue.held_on <= date(year, 12, 31))
            .group_by(Dialogue.unit_id, Dialogue.setting)
        ):
            held[unit_id][setting] = count
    return held


def _follow_ups(session: Session, dialogue_readable, unit_ids: list[str],
                today: date) -> dict[str, list[Dialogue]]:
    """Per unit, the readable dialogues followed up today or later, soonest first (then as the
    list of dialogues orders them: newest first), at most MAX_FOLLOW_UPS per unit."""
    found: dict[str, list[Dialogue]] = {unit_id: [] for unit_id in unit_ids}
    if not unit_ids:
        return found
    ranked = (
        select(Dialogue.id, func.row_number().over(
            partition_by=Dialogue.unit_id,
            order_by=(Dialogue.follow_up_on, Dialogue.held_on.desc(),
                      Dialogue.recorded_at.desc(), Dialogue.id),
        ).label("rank"))
        .where(dialogue_readable, Dialogue.unit_id.in_(unit_ids), Dialogue.follow_up_on >= today)
        .subquery()
    )
    for dialogue in session.scalars(
        select(Dialogue).join(ranked, ranked.c.id == Dialogue.id)
        .where(ranked.c.rank <= MAX_FOLLOW_UPS).order_by(ranked.c.rank)
    ):
        found[dialogue.unit_id].append(dialogue)
    return found


def _with_owner_name(query: Select) -> Select:
    """Listed actions with their owners' names, for `_names` to pick from."""
    return query.add_columns(Person.name.label("owner_name")).join(
        Person, Person.id == Action.owner_id
    )


def _names(principal: Principal, rows) -> dict[str, str]:
    """Names of the listed actions' owners the caller may learn (access.may_name_owner): every
    one listed, since each is the caller's own or one of a dialogue the caller may read."""
    return {row.Action.owner_id: row.owner_name for row in rows
            if may_name_owner(principal, row.Action.owner_id,
                              dialogue_readable=row.dialogue_readable)}
