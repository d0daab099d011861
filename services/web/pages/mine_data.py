"""My data: everything Lederdialog holds about the signed-in person (GDPR Art. 15), as a page
and as a JSON file to keep.

Both come from one call, the person's export in the assessment API: it decides what the
export holds and which dialogues' texts the person may read, and it asks notify for the
emails. When it cannot answer whole (503), neither does the page.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template
from flask_babel import lazy_gettext as _l

from services.web import session
from services.web.apis import ApiError
from services.web.labels import SETTINGS, day
from services.web.language import local_today
from services.web.pages.read_log import newest_first
from services.web.people import names_of

blp = Blueprint("mine_data", __name__)

PERSON_FIELDS = {
    "name": _l("Name"),
    "email": _l("Email"),
    "language": _l("Language"),
    "unit_id": _l("Unit"),
    "left_on": _l("Left"),
    "erased": _l("Erased"),
}
LANGUAGES = {"da": _l("Danish"), "en": _l("English")}
EMAIL_KINDS = {
    "dialogue_summary": _l("Summary of a dialogue"),
    "action_agreed": _l("A new action for you"),
    "action_reminder": _l("Reminder of an action"),
    "action_due": _l("An action due today"),
    "action_overdue": _l("An overdue action"),
    "action_escalated": _l("An action long overdue (to the leader above)"),
    "follow_up": _l("Time to follow up a dialogue"),
    "framework_changed": _l("The framework has changed"),
    "actions_to_reassign": _l("Actions that need a new owner"),
}
DELIVERY_STATES = {
    "sending": _l("Being sent"),
    "sent": _l("Sent"),
    "failed": _l("Not taken yet; tried again"),
    "dead": _l("Given up"),
}


@blp.get("/mine-data")
@session.sign_in_required
def show():
    export = _export().json()
    person, dialogues = export["person"], export["dialogues"]
    units = _unit_names({person["unit_id"]} | {d["unit_id"] for d in dialogues} | {
        value for change in export["history"] if change["field"] == "unit_id"
        for value in (change["old_value"], change["new_value"])
    })
    return render_template(
        "pages/mine_data.html", export=export, units=units, names=names_of(_people_named(export)),
        language=LANGUAGES.get(person["language"], person["language"]),
        history=[person_change(change, units) for change in export["history"]],
        reads=newest_first(export["reads"]), own_reads=newest_first(export["own_reads"]),
        dialogue_labels={d["id"]: f"{SETTINGS[d['setting']]}, {day(d['held_on'])}"
                         for d in dialogues},
        EMAIL_KINDS=EMAIL_KINDS, DELIVERY_STATES=DELIVERY_STATES,
    )


@blp.get("/mine-data.json")
@session.sign_in_required
def download():
    """The same export as a file: indented, so it can be read as well as kept."""
    export = _export().json()
    return Response(
        json.dumps(export, ensure_ascii=False, indent=2), mimetype="application/json",
        headers={
            "Content-Disposition":
                f'attachment; filename="lederdialog-mine-data-{local_today().isoformat()}.json"',
            "Cache-Control": "no-store",
        },
    )


def _export():
    return session.call("assessment", "GET", f"/api/v1/people/{session.me()['sub']}/export")


def _people_named(export: dict) -> set[str]:
    """Who made the changes, who read the person's dialogues, and the owners an action of
    theirs passed between."""
    action_changes = [change for action in export["actions"] for change in action["history"]]
    return {change["changed_by"] for change in [*export["history"], *action_changes]} | {
        read["reader_id"] for read in export["reads"]
    } | {value for change in action_changes if change["kind"] == "owner"
         for value in (change["old_value"], change["new_value"])}


def person_change(change: dict, units: dict[str, str]) -> dict:
    """A change to the person's record in words: the field's name, and units, languages and
    days as the page writes them."""
    def shown(value):
        if value is None:
            return ""
        if change["field"] == "unit_id":
            return units.get(value, value)
        if change["field"] == "language":
            return LANGUAGES.get(value, value)
        if change["field"] == "left_on":
            return day(value)
        return value

    return {**change, "field": PERSON_FIELDS.get(change["field"], change["field"]),
            "old_value": shown(change["old_value"]), "new_value": shown(change["new_value"])}


def _unit_names(unit_ids: set[str | None]) -> dict[str, str]:
    """The units' names by id (a unit removed since is shown by its id)."""
    names = {}
    for unit_id in filter(None, unit_ids):
        try:
            names[unit_id] = session.get("assessment", f"/api/v1/units/{unit_id}")["name"]
        except ApiError as exc:
            if exc.status != 404:
                raise
    return names
