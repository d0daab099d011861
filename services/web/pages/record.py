"""Record a dialogue (leaders): one page of fieldsets, a review of it, then save.

Works without JavaScript: the buttons that change the form (another action row, another
unit or setting) send it and get it back with everything typed kept. The assessment API
decides what may be recorded; its 422 comes back at the form's fields.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.web import dialogue_form as form
from services.web import dialogue_form_errors as form_errors
from services.web import session
from services.web.apis import ApiError
from services.web.framework_texts import framework_texts
from services.web.labels import PARTICIPANT_ROLES, SETTINGS, VISIBILITIES
from services.web.people import names_of

blp = Blueprint("record", __name__)
LOCAL_TIME = ZoneInfo("Europe/Copenhagen")
STEPS = ("update", "add_action", "edit", "review", "save")


@blp.get("/dialogues/new")
@session.sign_in_required
def start():
    """The form, for the unit (?unit_id=) and setting (?setting=) asked for, if any."""
    units = _units()
    values = form.initial(
        unit_id=request.args.get("unit_id"), setting=request.args.get("setting"),
        unit_ids=[unit["id"] for unit in units], today=_today(),
    )
    context = _context(values, units)
    return _form_page(form.complete(values, context), context)


@blp.post("/dialogues/new")
@session.sign_in_required
def submit():
    """Every button of the form and of the review: update, add_action, review, edit, save."""
    units = _units()
    submitted = form.parse(request.form)
    step = request.form.get("step", "review")
    if step not in STEPS:
        abort(400)
    context = _context(submitted, units)
    values = form.complete(submitted, context)
    if step == "add_action":
        return _form_page(form.add_action_row(values), context)
    if step in ("update", "edit"):
        if form.is_ready(values, context):
            return _form_page(values, context)
        return _form_page(values, context, errors=form_errors.check(values, context), status=422)
    if form.is_ready(values, context) and submitted["shown_for"] != form.shown_for(submitted):
        # The unit or setting changed since the form was shown: show its people and questions.
        return _form_page(values, context, changed=True)
    errors = form_errors.check(values, context)
    if errors:
        return _form_page(values, context, errors=errors, status=422)
    if step == "save":
        return _save(values, context)
    return _review_page(values, context)


def _save(values: dict, context: form.FormContext):
    keys = [question["key"] for question in context.questions]
    body = form.build_body(values, keys)
    try:
        answer = session.call("assessment", "POST", "/api/v1/dialogues", body=body.json)
    except ApiError as exc:
        if exc.status == 422:
            errors = form_errors.from_api(exc.field_errors(), body, keys) or {
                form_errors.FORM: [exc.message]}
            return _form_page(values, context, errors=errors, status=422)
        if exc.status >= 500:  # nothing is lost: the review holds every value
            return _review_page(values, context, unavailable=True, status=503)
        raise
    return redirect(_dialogue_url(answer.json()["id"]), 303)


def _dialogue_url(dialogue_id: str) -> str:
    if "dialogues.show" in current_app.view_functions:
        return url_for("dialogues.show", dialogue_id=dialogue_id)
    return f"/dialogues/{dialogue_id}"


def _today() -> date:
    return datetime.now(LOCAL_TIME).date()


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


def _context(values: dict, units: list[dict]) -> form.FormContext:
    """The form's context: once a unit and setting are chosen, the unit's people and the
    framework's focus areas and the setting's questions (of the version the form began
    with, so the review and the save use the questions the form showed)."""
    me = session.me()
    context = form.FormContext(units=units, recorder_id=me["sub"])
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
    context.people = form.people_rows(unit, _people(unit, me), me["sub"])
    return context


def _people(unit: dict, me: dict) -> list[dict]:
    """The unit's people, its leader and TRIO wherever they work, and the recorder."""
    people = session.all_pages("assessment", "/api/v1/people", params={"unit_id": unit["id"]})
    found = {person["id"] for person in people}
    missing = {person_id for person_id in (unit.get("leader_id"), unit.get("tr_id"),
                                           unit.get("amr_id"))
               if person_id and person_id not in found and person_id != me["sub"]}
    people += [{"id": person_id, "name": name} for person_id, name in names_of(missing).items()]
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
        "visibilities": [(key, VISIBILITIES[key]) for key in form_errors.VISIBILITIES],
    }


def _form_page(values: dict, context: form.FormContext, *, errors: dict | None = None,
               status: int = 200, changed: bool = False):
    errors = errors or {}
    return render_template(
        "pages/record/form.html", values=values, context=context, errors=errors,
        summary=form_errors.summary(errors, values, context), changed=changed,
        options=_options(context), max_actions=form.MAX_ACTIONS,
        ready=form.is_ready(values, context), total=form.weight_total(values),
        label=lambda key: form_errors.field_label(key, context),
    ), status


def _review_page(values: dict, context: form.FormContext, *, unavailable: bool = False,
                 status: int = 200):
    return render_template(
        "pages/record/review.html", values=values, context=context, pairs=form.pairs(values),
        total=form.weight_total(values), unavailable=unavailable,
        unit=context.unit(values["unit_id"]),
        actions=[action for action in values["actions"] if form.action_used(action)],
        label=lambda key: form_errors.field_label(key, context),
    ), status
