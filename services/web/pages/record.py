"""Record a dialogue (leaders), or amend one within its 14 days (its leader): one page of
fieldsets, a review of it, then save.

Works without JavaScript: the buttons that change the form (another action row, another
unit or setting) send it and get it back with everything typed kept. The assessment API
decides what may be recorded; its 422 comes back at the form's fields. Both are the same
views, by a Mode: an amendment's unit, setting and framework version are the dialogue's
and not fields of its form, and its action rows are actions to add.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.web import dialogue_form as form
from services.web import dialogue_form_errors as form_errors
from services.web import session
from services.web.apis import ApiError
from services.web.framework_texts import framework_texts
from services.web.labels import PARTICIPANT_ROLES, SETTINGS, VISIBILITIES
from services.web.language import local_today
from services.web.pages.dialogues import is_leader, within_amendable_days
from services.web.people import names_of

blp = Blueprint("record", __name__)
STEPS = ("update", "add_action", "edit", "review", "save")
DIALOGUE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")


@dataclass
class Mode:
    """What the form is for: recording a new dialogue of one of `units`, or amending
    `dialogue` (of the one unit in `units`)."""

    units: list[dict]
    submit_url: str
    dialogue: dict | None = None


@blp.get("/dialogues/new")
@session.sign_in_required
def start():
    """The form, for the unit (?unit_id=) and setting (?setting=) asked for, if any."""
    mode = _recording()
    values = form.initial(
        unit_id=request.args.get("unit_id"), setting=request.args.get("setting"),
        unit_ids=[unit["id"] for unit in mode.units], today=local_today(),
    )
    context = _context(values, mode)
    return _form_page(form.complete(values, context), context, mode)


@blp.post("/dialogues/new")
@session.sign_in_required
def submit():
    """Every button of the form and of the review: update, add_action, review, edit, save."""
    return _step(_recording())


@blp.get("/dialogues/<dialogue_id>/amend")
@session.sign_in_required
def amend(dialogue_id: str):
    """The form holding the dialogue, for its leader within its 14 days."""
    mode = _amending(dialogue_id)
    if not within_amendable_days(mode.dialogue):
        abort(404)
    values = form.from_dialogue(mode.dialogue)
    context = _context(values, mode)
    return _form_page(form.complete(values, context), context, mode)


@blp.post("/dialogues/<dialogue_id>/amend")
@session.sign_in_required
def amend_submit(dialogue_id: str):
    """The amendment's buttons. Its 14 days are the API's to check when it is saved: a form
    that outlived them gets the API's 409 with everything typed kept."""
    return _step(_amending(dialogue_id))


def _recording() -> Mode:
    return Mode(units=_units(), submit_url=url_for("record.submit"))


def _amending(dialogue_id: str) -> Mode:
    """The dialogue to amend; for anyone but its leader, the page of one that does not exist
    (the API's 403 and 404 too)."""
    if not DIALOGUE_ID.match(dialogue_id):
        abort(404)
    dialogue = session.get("assessment", f"/api/v1/dialogues/{dialogue_id}")
    if not is_leader(dialogue):
        abort(404)
    unit = session.get("assessment", f"/api/v1/units/{dialogue['unit_id']}")
    unit["as_leaders_leader"] = unit.get("leader_id") != dialogue["leader_id"]
    return Mode(units=[unit], dialogue=dialogue,
                submit_url=url_for("record.amend_submit", dialogue_id=dialogue["id"]))


def _step(mode: Mode):
    """One button of the form or of the review, in either mode."""
    submitted = form.parse(request.form)
    if mode.dialogue is not None:
        submitted = form.keep_fixed(submitted, mode.dialogue)
    step = request.form.get("step", "review")
    if step not in STEPS:
        abort(400)
    context = _context(submitted, mode)
    values = form.complete(submitted, context)
    if step == "add_action":
        return _form_page(form.add_action_row(values), context, mode)
    if step in ("update", "edit"):
        if form.is_ready(values, context):
            return _form_page(values, context, mode)
        return _form_page(values, context, mode, errors=form_errors.check(values, context),
                          status=422)
    if form.is_ready(values, context) and submitted["shown_for"] != form.shown_for(submitted):
        # The unit or setting changed since the form was shown: show its people and questions.
        return _form_page(values, context, mode, changed=True)
    errors = form_errors.check(values, context)
    if errors:
        return _form_page(values, context, mode, errors=errors, status=422)
    if step == "save":
        return _save(values, context, mode)
    return _review_page(values, context, mode)


def _save(values: dict, context: form.FormContext, mode: Mode):
    """POST a new dialogue, or PUT the amendment (a new revision; its actions are added)."""
    keys = [question["key"] for question in context.questions]
    body = form.build_body(values, keys)
    method, path = ("POST", "/api/v1/dialogues") if mode.dialogue is None else (
        "PUT", f"/api/v1/dialogues/{mode.dialogue['id']}")
    try:
        answer = session.call("assessment", method, path, body=body.json)
    except ApiError as exc:
        if exc.status == 422:
            errors = form_errors.from_api(exc.field_errors(), body, keys) or {
                form_errors.FORM: [exc.message]}
            if mode.dialogue is not None:  # no fields of an amendment's form
                errors = form_errors.at_form(errors, form.AMEND_FIXED)
            return _form_page(values, context, mode, errors=errors, status=422)
        if exc.status == 409:  # past its 14 days, or amended meanwhile
            return _form_page(values, context, mode, errors={form_errors.FORM: [exc.message]},
                              status=409)
        if exc.status >= 500:  # nothing is lost: the review holds every value
            return _review_page(values, context, mode, unavailable=True, status=503)
        raise
    return redirect(_dialogue_url(answer.json()["id"]), 303)


def _dialogue_url(dialogue_id: str) -> str:
    if "dialogues.show" in current_app.view_functions:
        return url_for("dialogues.show", dialogue_id=dialogue_id)
    return f"/dialogues/{dialogue_id}"



def _units() -> list[dict]:
    """The units the person may record dialogues of: those they lead, and those whose
    parent unit they lead. Anyone else gets the page of a page that does not exist."""
    if "leader" not in session.roles():
        abort(404)
    me = session.me()
    units = {}
    for unit in me.get("leads", []):
        units[unit["id"]] = {**unit, "as_leaders_leader": False}
    for unit in me.get("leads_parent_of", []):
        units.setdefault(unit["id"], {**unit, "as_leaders_leader": True})
    if not units:
        abort(404)
    return list(units.values())


def _context(values: dict, mode: Mode) -> form.FormContext:
    """The form's context: once a unit and setting are chosen, the unit's people and the
    framework's focus areas and the setting's questions (of the version the form began
    with, so the review and the save use the questions the form showed)."""
    me = session.me()
    context = form.FormContext(units=mode.units, recorder_id=me["sub"])
    unit = context.unit(values["unit_id"])
    if unit is None or values["setting"] not in form.SETTINGS:
        return context
    version = values["framework_version"]
    texts = framework_texts(int(version) if version.isdigit() and len(version) <= 9 else None)
    context.framework_version = texts.version
    context.focus_areas = [
        {"key": area["key"], "title": area["title"],
         "commitments": [{"key": c["key"], "text": c["text"]} for c in area["commitments"]]}
        for area in texts.focus_areas
    ]
    context.questions = [{"key": q["key"], "text": q["text"]}
                         for q in texts.questions(values["setting"])]
    context.people = form.people_rows(unit, _people(unit, me, _took_part(mode)), me["sub"])
    return context


def _took_part(mode: Mode) -> dict[str, str]:
    """Whoever took part in the dialogue amended (id -> name), wherever they work now."""
    if mode.dialogue is None:
        return {}
    names = mode.dialogue.get("people") or {}
    return {p["person_id"]: names.get(p["person_id"], p["person_id"])
            for p in mode.dialogue["participants"]}


def _people(unit: dict, me: dict, took_part: dict[str, str]) -> list[dict]:
    """The unit's people, its leader and TRIO wherever they work, the recorder, and those
    who took part in the dialogue amended."""
    people = session.all_pages("assessment", "/api/v1/people", params={"unit_id": unit["id"]})
    found = {person["id"] for person in people}
    missing = {person_id for person_id in (unit.get("leader_id"), unit.get("tr_id"),
                                           unit.get("amr_id"), *took_part)
               if person_id and person_id not in found and person_id != me["sub"]}
    names = {**names_of(missing - set(took_part)), **took_part}
    people += [{"id": person_id, "name": names[person_id]} for person_id in sorted(missing)
               if person_id in names]
    if me["sub"] not in found:
        person = me.get("person") or {}
        people.append({"id": me["sub"], "name": person.get("name") or me["sub"]})
    return people


def _options(context: form.FormContext) -> dict[str, list]:
    """The choices of the form's radio buttons and selects: [(value, text)]."""
    return {
        "units": [(unit["id"], _("%(unit)s (as the leader's leader)", unit=unit["name"])
                   if unit["as_leaders_leader"] else unit["name"]) for unit in context.units],
        "settings": [(key, SETTINGS[key]) for key in form.SETTINGS],
        "people": [(person["id"], person["name"]) for person in context.people],
        "roles": {person["id"]: [(role, PARTICIPANT_ROLES[role]) for role in person["roles"]]
                  for person in context.people},
        "areas": [(area["key"], area["title"]) for area in context.focus_areas],
        "commitments": [(area["title"], [(c["key"], c["text"]) for c in area["commitments"]])
                        for area in context.focus_areas],
        "ratings": [(rating, rating) for rating in form_errors.RATINGS],
        "visibilities": list(VISIBILITIES.items()),
    }


def _form_page(values: dict, context: form.FormContext, mode: Mode, *,
               errors: dict | None = None, status: int = 200, changed: bool = False):
    errors = errors or {}
    return render_template(
        "pages/record/form.html", values=values, context=context, errors=errors, mode=mode,
        names=_names(context, mode),
        summary=form_errors.summary(errors, values, context), changed=changed,
        options=_options(context), max_actions=form.MAX_ACTIONS,
        ready=form.is_ready(values, context), total=form.weight_total(values),
        label=lambda key: form_errors.field_label(key, context),
    ), status


def _review_page(values: dict, context: form.FormContext, mode: Mode, *,
                 unavailable: bool = False, status: int = 200):
    return render_template(
        "pages/record/review.html", values=values, context=context, pairs=form.pairs(values),
        mode=mode, names=_names(context, mode),
        total=form.weight_total(values), unavailable=unavailable,
        unit=context.unit(values["unit_id"]),
        actions=[action for action in values["actions"] if form.action_used(action)],
        label=lambda key: form_errors.field_label(key, context),
    ), status


def _names(context: form.FormContext, mode: Mode) -> dict[str, str]:
    """The names of the form's people and of the owners of an amended dialogue's actions."""
    return {**((mode.dialogue or {}).get("people") or {}), **context.names()}
