"""The rules a dialogue keeps: who may record it and what its content may say.

Marshmallow has checked shapes and types; these are the checks across fields,
against the organisation and against the framework version the dialogue used.
Every violation is collected, so one 422 names them all.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from marshmallow.error_store import merge_errors
from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import aliased

from services.assessment.errors import Forbidden, Invalid, ServiceUnavailable
from services.assessment.framework import (
    FrameworkClient,
    FrameworkKeys,
    FrameworkUnavailable,
    UnknownFrameworkVersion,
)
from services.assessment.models import Person, Unit

# Dialogues are held in Gentofte: "today" is the Danish calendar day, which runs
# ahead of UTC, so a dialogue recorded just after midnight is not "in the future".
LOCAL_TIME = ZoneInfo("Europe/Copenhagen")
WEIGHT_TOTAL = 100
FOLLOW_UP_MONTHS = 3
AREA_TEXT_LISTS = ("strengths", "development_areas")
# Roles only the unit's own TRIO takes, and the unit's column naming who that is.
TRIO_ROLES = {"tr": "tr_id", "amr": "amr_id"}
# The one setting whose participants may come from other units: leaders of several units.
ACROSS_UNITS = "leader_group"
# What a recording or an amendment reads of the organisation, in one query built once: each
# query costs a round trip to the database and, built anew, about as much again to build.
_PARENT = aliased(Unit, name="parent")
_UNIT_AND_PEOPLE = (
    select(Unit.id, Unit.leader_id, Unit.tr_id, Unit.amr_id,
           _PARENT.leader_id.label("parent_leader_id"),
           Person.id.label("person_id"), Person.unit_id.label("person_unit_id"))
    .outerjoin(_PARENT, _PARENT.id == Unit.parent_id)
    .outerjoin(Person, Person.id.in_(bindparam("person_ids", expanding=True)))
    .where(Unit.id == bindparam("unit_id"))
)


class UnitTrio(Protocol):
    """What the rules read of a unit: a row of these columns."""

    id: str
    leader_id: str | None
    tr_id: str | None
    amr_id: str | None
    parent_leader_id: str | None


class Errors:
    """Field errors collected under their paths, raised together as one Invalid."""

    def __init__(self) -> None:
        self.tree: dict = {}

    def add(self, *path: str | int, message: str) -> None:
        error: dict | list = [message]
        for part in reversed(path):
            error = {str(part): error}
        # Merged the way marshmallow merges: a list's own errors sit under "_schema"
        # beside the errors of its items.
        self.tree = merge_errors(self.tree, error)

    def raise_any(self) -> None:
        if self.tree:
            raise Invalid(self.tree)


def local_today() -> date:
    return datetime.now(LOCAL_TIME).date()


def months_after(day: date, months: int) -> date:
    """The same day some months later, or that month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_visibility(setting: str) -> str:
    return "private" if setting == "individual_leader" else "shared"


def recording_unit_and_people(
    connection: Connection, *, body: dict, recorder_id: str
) -> tuple[UnitTrio, dict[str, str | None]]:
    """`unit_and_people`, if the recorder leads the unit or leads its parent unit
    (the leader's leader)."""
    unit, people = unit_and_people(connection, body)
    if recorder_id not in (unit.leader_id, unit.parent_leader_id):
        raise Forbidden("only the unit's leader or the leader's leader records its dialogues")
    return unit, people


def unit_and_people(
    connection: Connection, body: dict
) -> tuple[UnitTrio, dict[str, str | None]]:
    """The body's unit with its parent's leader, and the unit of every person the body
    names who is in the organisation."""
    rows = connection.execute(_UNIT_AND_PEOPLE, {
        "unit_id": body["unit_id"], "person_ids": list(_named_people(body)),
    }).all()
    if not rows:
        raise Invalid.field("unit_id", f"there is no unit {body['unit_id']!r}")
    # One row per person found; a single row without a person when none was.
    return rows[0], {row.person_id: row.person_unit_id for row in rows
                     if row.person_id is not None}


def _named_people(body: dict) -> set[str]:
    return {p["person_id"] for p in body["participants"]} | {a["owner_id"] for a in body["actions"]}


def framework_keys(framework: FrameworkClient, version: int | None) -> FrameworkKeys:
    """The keys of the version asked for (default: the current one), from the content service."""
    try:
        return framework.keys(framework.current_version() if version is None else version)
    except UnknownFrameworkVersion as exc:
        raise Invalid.field(
            "framework_version", "there is no published framework version with this id"
        ) from exc
    except FrameworkUnavailable as exc:
        raise ServiceUnavailable(
            "the framework cannot be fetched from the content service right now; try again"
        ) from exc


def checked_content(
    *, body: dict, keys: FrameworkKeys, unit: UnitTrio, people: dict[str, str | None],
    leader_id: str, current_follow_up: date | None = None,
) -> dict:
    """The body with its defaults filled in, or Invalid naming every field that breaks a rule.

    `people` is the unit of each person the body names who is in the organisation;
    `current_follow_up` is, on amendment, the dialogue's follow-up date until now.
    """
    errors = Errors()
    held_on = body["held_on"]
    today = local_today()
    if held_on > today:
        errors.add("held_on", message="a dialogue is recorded after it is held, not before")
    follow_up_on = _follow_up_on(body, today, current_follow_up, errors)
    visibility = body.get("visibility") or default_visibility(body["setting"])
    _check_task(body, errors)
    _check_answers(body, keys, errors)
    _check_focus_areas(body["focus_areas"], keys, errors)
    for name in AREA_TEXT_LISTS:
        for index, item in enumerate(body[name]):
            if item["focus_area"] not in keys.focus_areas:
                errors.add(name, index, "focus_area", message=_unknown_area(keys))
    _check_participants(body, visibility, _unit_circle(unit, people, leader_id), people,
                        errors)
    _check_trio_roles(body["participants"], unit, errors)
    _check_actions(body, people, keys, leader_id, errors)
    errors.raise_any()
    return {
        **body, "framework_version": keys.version, "follow_up_on": follow_up_on,
        "visibility": visibility, "task_description": body.get("task_description"),
    }


def _follow_up_on(body: dict, today: date, current: date | None, errors: Errors) -> date:
    """The follow-up date asked for, or three months after the dialogue (today if that has
    passed, as when a dialogue is recorded late).

    The follow-up prompt goes out on that day, so a day before today is refused: nothing
    would ever be sent. An amendment may keep the dialogue's follow-up date though it has
    passed: an amendment should not fail only because time went by.
    """
    held_on, asked = body["held_on"], body.get("follow_up_on")
    if asked is None:
        return max(months_after(held_on, FOLLOW_UP_MONTHS), today)
    if asked < held_on:
        errors.add("follow_up_on", message="the follow-up cannot come before the dialogue")
    elif asked < today and asked != current:
        errors.add("follow_up_on", message=(
            "the follow-up date has passed, so no follow-up prompt would be sent; "
            "choose today or later"
        ))
    return asked


def _unknown_area(keys: FrameworkKeys) -> str:
    return f"not a focus area of framework version {keys.version}"


def _check_task(body: dict, errors: Errors) -> None:
    has_task = bool(body.get("task_description"))
    if body["setting"] == "specific_task" and not has_task:
        errors.add("task_description", message="a specific_task dialogue names its task")
    if body["setting"] != "specific_task" and has_task:
        errors.add("task_description", message="only a specific_task dialogue has a task")


def _check_answers(body: dict, keys: FrameworkKeys, errors: Errors) -> None:
    known = keys.questions[body["setting"]]
    for key in body["answers"]:
        if key not in known:
            errors.add("answers", key, message=(
                f"not a reflection question of setting {body['setting']} in framework "
                f"version {keys.version}; expected one of: {', '.join(known)}"
            ))


def _check_focus_areas(ratings: list[dict], keys: FrameworkKeys, errors: Errors) -> None:
    seen: set[str] = set()
    for index, rating in enumerate(ratings):
        area = rating["focus_area"]
        if area not in keys.focus_areas:
            errors.add("focus_areas", index, "focus_area", message=_unknown_area(keys))
        elif area in seen:
            errors.add("focus_areas", index, "focus_area", message="rated twice")
        seen.add(area)
    missing = sorted(keys.focus_areas - seen)
    if missing:
        errors.add("focus_areas", message=f"rate every focus area; missing: {', '.join(missing)}")
    total = sum(rating["weight"] for rating in ratings)
    if total != WEIGHT_TOTAL:
        errors.add("focus_areas", message=f"the weights sum to {total}, not {WEIGHT_TOTAL}")


def _check_participants(
    body: dict, visibility: str, circle: set[str], people: dict[str, str | None],
    errors: Errors,
) -> None:
    """Participants are people of the organisation, each once, from the unit's `circle`;
    only a shared leader_group dialogue takes in leaders and others from other units."""
    seen: set[str] = set()
    for index, participant in enumerate(body["participants"]):
        person_id = participant["person_id"]
        if person_id not in people:
            errors.add("participants", index, "person_id", message="not in the organisation")
        elif person_id in seen:
            errors.add("participants", index, "person_id", message="listed twice")
        elif person_id not in circle and body["setting"] != ACROSS_UNITS:
            errors.add("participants", index, "person_id", message=(
                f"from another unit; only a {ACROSS_UNITS} dialogue includes people from "
                "other units"
            ))
        elif person_id not in circle and visibility == "private":
            errors.add("participants", index, "person_id", message=(
                "a private dialogue stays within the unit; share it to include this person"
            ))
        seen.add(person_id)


def _unit_circle(unit: UnitTrio, people: dict[str, str | None], leader_id: str) -> set[str]:
    """Who takes part in any dialogue of the unit: its people, its leader and TRIO, the
    leader's leader and the recorder, whichever unit each of them works in.

    The leader, the TRIO and the leader's leader read every shared dialogue of the unit
    already, so having them take part tells them nothing new; and the leader of the
    parent unit is a natural participant of an individual_leader dialogue.
    """
    employees = {person_id for person_id, unit_id in people.items() if unit_id == unit.id}
    leaders_and_trio = {unit.leader_id, unit.tr_id, unit.amr_id, unit.parent_leader_id,
                        leader_id}
    return employees | (leaders_and_trio - {None})


def _check_trio_roles(participants: list[dict], unit: UnitTrio, errors: Errors) -> None:
    """The roles tr and amr belong to the unit's own TR and AMR."""
    for index, participant in enumerate(participants):
        role = participant["role"]
        if role in TRIO_ROLES and participant["person_id"] != getattr(unit, TRIO_ROLES[role]):
            errors.add("participants", index, "role", message=(
                f"only the unit's own {role.upper()} takes part as {role}"
            ))


def _check_actions(
    body: dict, people: dict[str, str | None], keys: FrameworkKeys, leader_id: str,
    errors: Errors,
) -> None:
    """Actions are owned by someone who took part in the dialogue or by its leader, and
    fall due no earlier than it was held."""
    takers = {participant["person_id"] for participant in body["participants"]} | {leader_id}
    for index, action in enumerate(body["actions"]):
        if action["owner_id"] not in people:
            errors.add("actions", index, "owner_id", message="not in the organisation")
        elif action["owner_id"] not in takers:
            errors.add("actions", index, "owner_id", message=(
                "the owner takes part in the dialogue or is its leader; "
                "add them to the participants"
            ))
        if action["due_on"] < body["held_on"]:
            errors.add("actions", index, "due_on", message="due before the dialogue was held")
        area = action["focus_area"]
        if area not in keys.focus_areas:
            errors.add("actions", index, "focus_area", message=_unknown_area(keys))
        elif action["commitment"] not in keys.commitments[area]:
            errors.add("actions", index, "commitment", message=(
                f"not a commitment of {area}; expected one of: "
                f"{', '.join(sorted(keys.commitments[area]))}"
            ))
