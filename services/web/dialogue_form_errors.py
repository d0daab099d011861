"""What is wrong with a record-a-dialogue form, by the form's field: the web's own cheap
checks, and the assessment API's 422 mapped from its paths ("actions.0.due_on") to the
form's fields ("actions-2-due_on"). Each field's label prefixes its messages in the summary.

Errors are {field key: [messages]}; a field's key is the name of its input (see
dialogue_form), or a list's own name for what concerns the whole list ("focus_areas":
the weights' sum), or FORM for what belongs to no field.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.web import labels
from services.web.dialogue_form import (
    ACTION_FIELDS,
    AREA_TEXTS,
    SETTINGS,
    TASK_SETTING,
    WEIGHT_TOTAL,
    Body,
    FormContext,
    action_used,
    weight_total,
)

FORM = "form"
VISIBILITIES = tuple(labels.VISIBILITIES)
RATINGS = ("1", "2", "3", "4", "5")
SCALAR_FIELDS = ("unit_id", "setting", "held_on", "task_description", "follow_up_on",
                 "visibility")
LABELS = {
    "unit_id": _l("Unit"),
    "setting": _l("Kind of dialogue"),
    "held_on": _l("Date held"),
    "task_description": _l("The task"),
    "participants": _l("Participants"),
    "answers": _l("Reflection questions"),
    "focus_areas": _l("Weights"),
    "strengths": _l("Strengths"),
    "development_areas": _l("Development areas"),
    "actions": _l("Actions"),
    "follow_up_on": _l("Follow-up date"),
    "visibility": _l("Who may read the dialogue"),
    FORM: _l("The dialogue"),
}
ACTION_LABELS = {
    "title": _l("Title"),
    "owner_id": _l("Owner"),
    "due_on": _l("Due date"),
    "focus_area": _l("Focus area"),
    "commitment": _l("Commitment"),
}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def _add(errors: dict, key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _check_day(errors: dict, values: dict, key: str, *, required: bool) -> None:
    value = values[key]
    if not value:
        if required:
            _add(errors, key, _("Enter a date."))
        return
    try:
        valid = bool(_DAY.match(value)) and date.fromisoformat(value) is not None
    except ValueError:
        valid = False
    if not valid:
        _add(errors, key, _("Enter a date as year-month-day, e.g. 2026-03-31."))


def check(values: dict, context: FormContext) -> dict[str, list[str]]:
    """What the API would refuse anyway and the web can tell at once, with better words.
    The API stays the authority: it checks everything again."""
    errors: dict[str, list[str]] = {}
    if context.unit(values["unit_id"]) is None:
        _add(errors, "unit_id", _("Choose the unit the dialogue was held in."))
    if values["setting"] not in SETTINGS:
        _add(errors, "setting", _("Choose the kind of dialogue."))
    if errors:  # the rest of the form is not shown until these are chosen
        return errors
    _check_day(errors, values, "held_on", required=True)
    if values["setting"] == TASK_SETTING and not values["task_description"]:
        _add(errors, "task_description", _("Describe the task the dialogue was about."))
    for area, rating in values["focus_areas"].items():
        if rating["rating"] not in RATINGS:
            _add(errors, f"focus_areas-{area}-rating", _("Choose a rating from 1 to 5."))
        weight = rating["weight"]
        if not re.fullmatch(r"\d{1,3}", weight) or int(weight) > WEIGHT_TOTAL:
            _add(errors, f"focus_areas-{area}-weight", _("Enter a whole number from 0 to 100."))
    total = weight_total(values)
    if total is not None and total != WEIGHT_TOTAL:
        _add(errors, "focus_areas",
             _("The weights sum to %(total)d; they must sum to 100.", total=total))
    for row, action in enumerate(values["actions"]):
        if action_used(action):
            _check_action(errors, row, action, context)
    _check_day(errors, values, "follow_up_on", required=False)
    if values["visibility"] not in VISIBILITIES:
        _add(errors, "visibility", _("Choose who may read the dialogue."))
    return errors


def _check_action(errors: dict, row: int, action: dict, context: FormContext) -> None:
    missing = {
        "title": _("Give the action a title."),
        "owner_id": _("Choose who owns the action."),
        "due_on": _("Enter the date the action is due."),
        "focus_area": _("Choose the action's focus area."),
        "commitment": _("Choose the action's commitment."),
    }
    for name in ACTION_FIELDS:
        if not action[name]:
            _add(errors, f"actions-{row}-{name}", missing[name])
    if action["due_on"]:
        _check_day(errors, {f"actions-{row}-due_on": action["due_on"]},
                   f"actions-{row}-due_on", required=True)
    if action["focus_area"] and action["commitment"] and (
            action["commitment"] not in context.commitments(action["focus_area"])):
        _add(errors, f"actions-{row}-commitment",
             _("Choose a commitment of the action's focus area."))


def from_api(field_errors: dict[str, list[str]], body: Body,
             question_keys: list[str]) -> dict[str, list[str]]:
    """The API's 422 messages (by path) at the form's fields they concern."""
    errors: dict[str, list[str]] = {}
    for path, messages in field_errors.items():
        key = api_path_to_field(path, body, question_keys)
        for message in messages:
            _add(errors, key, message)
    return errors


def at_form(errors: dict[str, list[str]], keys) -> dict[str, list[str]]:
    """The errors, those at `keys` (values the form does not let one change) moved to FORM."""
    moved: dict[str, list[str]] = {}
    for key, messages in errors.items():
        for message in messages:
            _add(moved, FORM if key in keys else key, message)
    return moved


def api_path_to_field(path: str, body: Body, question_keys: list[str]) -> str:
    """The form's field an API error path names; a list's own key for the list as a whole
    (and for an item the form does not show); FORM when no field fits."""
    head, *rest = path.split(".")
    item = rest[0] if rest else ""
    part = rest[1] if len(rest) > 1 else ""
    if head in SCALAR_FIELDS:
        return head
    if head == "answers":
        return f"answers-{item}" if item in question_keys else head
    if head not in body.rows:
        return FORM
    rows = body.rows[head]
    if not item.isdigit() or int(item) >= len(rows):
        return head
    row = rows[int(item)]
    if head == "participants":
        return f"participants-{row}-{'role' if part == 'role' else 'included'}"
    if head == "focus_areas":
        return f"focus_areas-{row}-{'weight' if part == 'weight' else 'rating'}"
    if head == "actions":
        return f"actions-{row}-{part if part in ACTION_FIELDS else 'title'}"
    return f"{head}-{row}"  # strengths, development_areas


def field_label(key: str, context: FormContext) -> str:
    """The field's label in the page's language, as the form shows it."""
    if key in LABELS:
        return str(LABELS[key])
    names, areas = context.names(), context.area_titles()
    kind, _sep, rest = key.partition("-")
    if kind == "participants":
        row, _sep, part = rest.partition("-")
        name = names.get(_participant_id(context, row), row)
        return _("Role of %(name)s", name=name) if part == "role" else name
    if kind == "answers":
        return next((q["text"] for q in context.questions if q["key"] == rest), rest)
    if kind == "focus_areas":
        area, _sep, part = rest.rpartition("-")
        title = areas.get(area, area)
        if part == "weight":
            return _("Weight of %(area)s", area=title)
        return _("Rating of %(area)s", area=title)
    if kind == "strengths":
        return _("Strengths in %(area)s", area=areas.get(rest, rest))
    if kind == "development_areas":
        return _("Development areas in %(area)s", area=areas.get(rest, rest))
    if kind == "actions":
        row, _sep, part = rest.partition("-")
        number = int(row) + 1 if row.isdigit() else 0
        return _("%(field)s of action %(number)d", number=number,
                 field=ACTION_LABELS.get(part, part))
    return key


def _participant_id(context: FormContext, row: str) -> str:
    people = context.people
    return people[int(row)]["id"] if row.isdigit() and int(row) < len(people) else row


def anchor(key: str, context: FormContext) -> str:
    """The id a summary's link goes to: the field, or the first of its radio buttons."""
    if key == "setting":
        return f"setting-{SETTINGS[0]}"
    if key == "visibility":
        return f"visibility-{VISIBILITIES[0]}"
    if key.startswith("focus_areas-") and key.endswith("-rating"):
        return f"{key}-1"
    if key == "focus_areas" and context.focus_areas:
        return f"focus_areas-{context.focus_areas[0]['key']}-weight"
    if key in ("participants", "answers", "strengths", "actions"):
        return f"section-{key}"
    if key == "development_areas":
        return "section-strengths"
    if key == FORM:
        return "record-form"
    return key


def field_order(values: dict, context: FormContext) -> list[str]:
    """Every field key in the order the form shows them."""
    keys = ["unit_id", "setting", "held_on", "task_description", "participants"]
    for row in range(len(values["participants"])):
        keys += [f"participants-{row}-included", f"participants-{row}-role"]
    keys += ["answers", *(f"answers-{q['key']}" for q in context.questions), "focus_areas"]
    for area in context.focus_areas:
        keys += [f"focus_areas-{area['key']}-rating", f"focus_areas-{area['key']}-weight"]
    for name in AREA_TEXTS:
        keys += [name, *(f"{name}-{area['key']}" for area in context.focus_areas)]
    keys.append("actions")
    for row in range(len(values["actions"])):
        keys += [f"actions-{row}-{name}" for name in ACTION_FIELDS]
    return [*keys, "follow_up_on", "visibility", FORM]


def summary(errors: dict[str, list[str]], values: dict,
            context: FormContext) -> list[tuple[str, str]]:
    """The error summary's entries, in the form's order: (the id to link to, the text)."""
    order = {key: index for index, key in enumerate(field_order(values, context))}
    keys = sorted(errors, key=lambda key: order.get(key, len(order)))
    return [(anchor(key, context), f"{field_label(key, context)}: {message}")
            for key in keys for message in errors[key]]
