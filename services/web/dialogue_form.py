"""The record-a-dialogue form: its values, read from a submitted form and written back, and
the assessment API's body built from them.

A form's values are the strings as typed (stripped, line breaks as "\\n"), so a page shown
again holds exactly what was sent. The names of the form's fields are flat:

    unit_id, setting, held_on, task_description, follow_up_on, visibility, framework_version
    participants-<row>-person_id | -included | -role
    answers-<question key>
    focus_areas-<area>-rating | -weight
    strengths-<area>, development_areas-<area>
    actions-<row>-title | -owner_id | -due_on | -focus_area | -commitment

Every field's id in the page is its name (radio buttons add "-<value>").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from shared.dialogue_settings import SETTING_QUESTIONS

SETTINGS = tuple(SETTING_QUESTIONS)
TASK_SETTING = "specific_task"
TRIO_SETTINGS = ("work_community", "specific_task")  # start with the unit's TRIO taking part
TRIO_ROLES = ("leader", "tr", "amr")
ROLE_ORDER = ("leader", "tr", "amr", "leader_of_leader", "employee", "colleague")
# shown_for: the unit and setting the form's participants and questions were shown for
SCALARS = ("unit_id", "setting", "held_on", "task_description", "follow_up_on", "visibility",
           "framework_version", "shown_for")
# what an amendment may not change (shown_for follows the unit and setting)
AMEND_FIXED = ("unit_id", "setting", "framework_version", "shown_for")
ACTION_FIELDS = ("title", "owner_id", "due_on", "focus_area", "commitment")
AREA_TEXTS = ("strengths", "development_areas")
ACTION_ROWS = 3  # blank action rows a form starts with
MAX_ACTIONS = 50  # as many as the API takes
MAX_PARTICIPANTS = 200
WEIGHT_TOTAL = 100

_KEY = r"[A-Za-z0-9_.-]{1,64}"
_ROW = re.compile(r"(participants|actions)-(\d{1,3})-(\w+)\Z")
_ANSWER = re.compile(rf"answers-({_KEY})\Z")
_RATING = re.compile(rf"focus_areas-({_KEY})-(rating|weight)\Z")
_AREA_TEXT = re.compile(rf"(strengths|development_areas)-({_KEY})\Z")


@dataclass
class FormContext:
    """What the form is made of besides its values: the units the person may record for,
    the chosen unit's people, the framework's focus areas and the setting's questions."""

    units: list[dict]
    recorder_id: str
    people: list[dict] = field(default_factory=list)  # id, name, default_role, roles
    focus_areas: list[dict] = field(default_factory=list)  # key, title, commitments
    questions: list[dict] = field(default_factory=list)  # key, text
    framework_version: int | None = None

    def unit(self, unit_id: str) -> dict | None:
        return next((unit for unit in self.units if unit["id"] == unit_id), None)

    def names(self) -> dict[str, str]:
        return {person["id"]: person["name"] for person in self.people}

    def area_titles(self) -> dict[str, str]:
        return {area["key"]: area["title"] for area in self.focus_areas}

    def commitments(self, area_key: str) -> dict[str, str]:
        """The focus area's commitments: key -> text."""
        for area in self.focus_areas:
            if area["key"] == area_key:
                return {c["key"]: c["text"] for c in area["commitments"]}
        return {}


def empty_values() -> dict:
    return {
        **{name: "" for name in SCALARS},
        "participants": [], "answers": {}, "focus_areas": {},
        "strengths": {}, "development_areas": {}, "actions": [],
    }


def blank_action() -> dict:
    return {name: "" for name in ACTION_FIELDS}


def initial(*, unit_id: str | None, setting: str | None, unit_ids: list[str],
            today: date) -> dict:
    """A new form: the unit and setting asked for (the only unit when there is one)."""
    values = empty_values()
    if unit_id in unit_ids:
        values["unit_id"] = unit_id
    elif len(unit_ids) == 1:
        values["unit_id"] = unit_ids[0]
    values["setting"] = setting if setting in SETTINGS else ""
    values["held_on"] = today.isoformat()
    return values


def from_dialogue(dialogue: dict) -> dict:
    """An amendment's form: the dialogue (as GET /api/v1/dialogues/<id> gives it) as the
    form's values. No action rows: its actions are kept and changed on their own pages, so
    the form's rows are actions to add. Texts of one focus area are one text."""
    values = empty_values()
    for name in ("unit_id", "setting", "held_on", "task_description", "follow_up_on",
                 "visibility", "framework_version"):
        values[name] = _clean(str(dialogue.get(name) or ""))
    values["shown_for"] = shown_for(values)
    values["participants"] = [{"person_id": p["person_id"], "included": True, "role": p["role"]}
                              for p in dialogue.get("participants") or []]
    values["answers"] = {key: _clean(text or "")
                         for key, text in (dialogue.get("answers") or {}).items()}
    values["focus_areas"] = {r["focus_area"]: {"rating": str(r["rating"]),
                                               "weight": str(r["weight"])}
                             for r in dialogue.get("focus_areas") or []}
    for name in AREA_TEXTS:
        for item in dialogue.get(name) or []:
            texts = [values[name].get(item["focus_area"], ""), _clean(item["text"] or "")]
            values[name][item["focus_area"]] = "\n\n".join(text for text in texts if text)
    return values


def keep_fixed(values: dict, dialogue: dict) -> dict:
    """Submitted values of an amendment with what it may not change as the dialogue has it,
    whatever was sent: the unit, the setting and the framework version."""
    fixed = from_dialogue(dialogue)
    return {**values, **{name: fixed[name] for name in AMEND_FIXED}}


def _clean(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def parse(form) -> dict:
    """A submitted form (a MultiDict) as the form's values; what is unknown is left out."""
    values = empty_values()
    rows: dict[str, dict[int, dict]] = {"participants": {}, "actions": {}}
    for name, raw in form.items():
        value = _clean(raw)
        if name in SCALARS:
            values[name] = value
        elif match := _ROW.match(name):
            kind, index, part = match.group(1), int(match.group(2)), match.group(3)
            rows[kind].setdefault(index, {})[part] = value
        elif match := _ANSWER.match(name):
            values["answers"][match.group(1)] = value
        elif match := _RATING.match(name):
            area = values["focus_areas"].setdefault(match.group(1), {"rating": "", "weight": ""})
            area[match.group(2)] = value
        elif match := _AREA_TEXT.match(name):
            values[match.group(1)][match.group(2)] = value
    values["participants"] = [
        {"person_id": row.get("person_id", ""), "included": row.get("included") == "yes",
         "role": row.get("role", "")}
        for _index, row in sorted(rows["participants"].items())[:MAX_PARTICIPANTS]
        if row.get("person_id")
    ]
    values["actions"] = [
        {name: row.get(name, "") for name in ACTION_FIELDS}
        for _index, row in sorted(rows["actions"].items())[:MAX_ACTIONS]
    ]
    return values


def pairs(values: dict) -> list[tuple[str, str]]:
    """The values as (name, value) pairs of a form: `parse` reads them back unchanged."""
    out = [(name, values[name]) for name in SCALARS]
    for row, participant in enumerate(values["participants"]):
        out.append((f"participants-{row}-person_id", participant["person_id"]))
        if participant["included"]:
            out.append((f"participants-{row}-included", "yes"))
        out.append((f"participants-{row}-role", participant["role"]))
    out += [(f"answers-{key}", text) for key, text in values["answers"].items()]
    for area, rating in values["focus_areas"].items():
        out += [(f"focus_areas-{area}-rating", rating["rating"]),
                (f"focus_areas-{area}-weight", rating["weight"])]
    for name in AREA_TEXTS:
        out += [(f"{name}-{area}", text) for area, text in values[name].items()]
    for row, action in enumerate(values["actions"]):
        out += [(f"actions-{row}-{name}", action[name]) for name in ACTION_FIELDS]
    return out


def is_ready(values: dict, context: FormContext) -> bool:
    """Whether the unit and setting are chosen, so the rest of the form can be shown."""
    return values["setting"] in SETTINGS and context.unit(values["unit_id"]) is not None


def shown_for(values: dict) -> str:
    return f"{values['unit_id']}/{values['setting']}"


def complete(values: dict, context: FormContext) -> dict:
    """The values fitted to the context: a participant row for each of the unit's people
    (as ticked before for this unit; else the unit's TRIO in a work-community dialogue),
    a rating per focus area, at least a few action rows, the framework version and the
    default visibility."""
    same_unit = values["shown_for"].partition("/")[0] == values["unit_id"]
    before = {row["person_id"]: row for row in values["participants"]} if same_unit else {}
    participants = []
    for person in context.people:
        row = before.get(person["id"])
        if row is None:
            included = not same_unit and values["setting"] in TRIO_SETTINGS and (
                person["default_role"] in TRIO_ROLES)
            row = {"person_id": person["id"], "included": included, "role": ""}
        role = row["role"] if row["role"] in person["roles"] else person["default_role"]
        participants.append({**row, "role": role})
    ratings = {area["key"]: values["focus_areas"].get(area["key"], {"rating": "", "weight": ""})
               for area in context.focus_areas}
    actions = values["actions"] + [blank_action()] * max(0, ACTION_ROWS - len(values["actions"]))
    # A new setting brings its own default: the leader's own reflection stays private.
    same_setting = values["shown_for"].partition("/")[2] == values["setting"]
    visibility = values["visibility"] if values["visibility"] and same_setting else (
        "private" if values["setting"] == "individual_leader" else "shared")
    version = values["framework_version"] or (
        str(context.framework_version) if context.framework_version else "")
    return {**values, "participants": participants, "focus_areas": ratings,
            "actions": [dict(action) for action in actions], "visibility": visibility,
            "framework_version": version,
            "shown_for": shown_for(values) if is_ready(values, context) else ""}


def add_action_row(values: dict) -> dict:
    if len(values["actions"]) >= MAX_ACTIONS:
        return values
    return {**values, "actions": [*values["actions"], blank_action()]}


def action_used(action: dict) -> bool:
    """A row with anything typed or chosen in it is an action; blank rows are left out."""
    return any(action[name] for name in ACTION_FIELDS)


def weight_total(values: dict) -> int | None:
    """The weights' sum, or None while one of them is not a whole number."""
    weights = [rating["weight"] for rating in values["focus_areas"].values()]
    if not weights or not all(re.fullmatch(r"\d{1,3}", weight) for weight in weights):
        return None
    return sum(int(weight) for weight in weights)


def _number(value: str) -> int | str:
    """A whole number as a JSON integer; anything else as typed, for the API to refuse."""
    return int(value) if re.fullmatch(r"-?\d{1,9}", value) else value


@dataclass
class Body:
    """The API's body, and for each list of it the form rows its items came from."""

    json: dict
    rows: dict[str, list]


def build_body(values: dict, question_keys: list[str]) -> Body:
    """The POST /api/v1/dialogues body: the ticked participants, the answers given to the
    setting's questions, the texts given, the action rows used."""
    participants = [(row, p) for row, p in enumerate(values["participants"]) if p["included"]]
    ratings = list(values["focus_areas"].items())
    texts = {name: [(area, text) for area, text in values[name].items() if text]
             for name in AREA_TEXTS}
    actions = [(row, a) for row, a in enumerate(values["actions"]) if action_used(a)]
    body = {
        "setting": values["setting"],
        "unit_id": values["unit_id"],
        "held_on": values["held_on"],
        "participants": [{"person_id": p["person_id"], "role": p["role"]}
                         for _row, p in participants],
        "answers": {key: values["answers"][key] for key in question_keys
                    if values["answers"].get(key)},
        "focus_areas": [{"focus_area": area, "rating": _number(rating["rating"]),
                         "weight": _number(rating["weight"])} for area, rating in ratings],
        **{name: [{"focus_area": area, "text": text} for area, text in texts[name]]
           for name in AREA_TEXTS},
        "actions": [dict(action) for _row, action in actions],
    }
    if values["setting"] == TASK_SETTING and values["task_description"]:
        body["task_description"] = values["task_description"]
    for name in ("follow_up_on", "visibility"):
        if values[name]:
            body[name] = values[name]
    if values["framework_version"].isdigit():
        body["framework_version"] = int(values["framework_version"])
    return Body(json=body, rows={
        "participants": [row for row, _p in participants],
        "focus_areas": [area for area, _rating in ratings],
        **{name: [area for area, _text in texts[name]] for name in AREA_TEXTS},
        "actions": [row for row, _action in actions],
    })


def people_rows(unit: dict, people: list[dict], recorder_id: str) -> list[dict]:
    """The people who may take part in a dialogue of `unit`, each with the role they take
    by default and the roles they may take (tr and amr only the unit's own TR and AMR):
    the unit's leader and TRIO first, then the leader's leader recording it, then the rest
    by name."""
    rows = []
    for person in {p["id"]: p for p in people}.values():
        default = {unit.get("leader_id"): "leader", unit.get("tr_id"): "tr",
                   unit.get("amr_id"): "amr"}.get(person["id"])
        if default is None:
            default = "leader_of_leader" if person["id"] == recorder_id else "employee"
        roles = [role for role in ROLE_ORDER
                 if role not in ("tr", "amr") or unit.get(f"{role}_id") == person["id"]]
        rows.append({"id": person["id"], "name": person["name"], "default_role": default,
                     "roles": roles})
    rows.sort(key=lambda row: (ROLE_ORDER.index(row["default_role"]), row["name"].casefold(),
                               row["id"]))
    return rows
