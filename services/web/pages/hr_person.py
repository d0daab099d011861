"""A person's record, for HR: edit their name, email, language, unit and the day they left,
read every change made to it, and erase the person (Art. 17) after a confirmation.

The unit is chosen from a list of every unit by name (with its id, as names repeat), so it
is one that exists; the API still checks it, and each of its refusals shows at its field.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.web import session
from services.web.pages.hr_edit import changes, save
from services.web.pages.hr_organisation import all_units, by_name
from services.web.pages.mine_data import LANGUAGES, person_change
from services.web.people import names_of

blp = Blueprint("hr_person", __name__)
FIELDS = ("name", "email", "language", "unit_id", "left_on")
OPTIONAL = ("unit_id", "left_on")


@blp.get("/hr/people/<person_id>")
@session.hr_only
def show(person_id: str):
    return _page(person_id)


@blp.post("/hr/people/<person_id>")
@session.hr_only
def edit(person_id: str):
    person = _person(person_id)
    return save(f"/api/v1/people/{person_id}", changes(person, FIELDS, optional=OPTIONAL),
                lambda errors: _page(person_id, errors=errors, typed=request.form))


@blp.get("/hr/people/<person_id>/erase")
@session.hr_only
def erase_form(person_id: str):
    person = _person(person_id)
    if person.get("erased_at"):
        return redirect(url_for("hr_person.show", person_id=person_id))
    return render_template("pages/hr/erase.html", person=person, errors={})


@blp.post("/hr/people/<person_id>/erase")
@session.hr_only
def erase(person_id: str):
    """Erase the person once HR has confirmed that it cannot be undone; the API's answer
    names the pseudonym that now stands for them, whose record the page shows."""
    if request.form.get("understood") != "yes":
        errors = {"understood": _("Confirm that you understand the erasure cannot be undone.")}
        return render_template("pages/hr/erase.html", person=_person(person_id),
                               errors=errors), 422
    erased = session.call("assessment", "DELETE", f"/api/v1/people/{person_id}").json()
    return redirect(url_for("hr_person.show", person_id=erased["id"], done="erased"))


def _person(person_id: str) -> dict:
    return session.get("assessment", f"/api/v1/people/{person_id}")


def _page(person_id: str, *, errors: dict[str, str] | None = None, typed=None) -> str:
    person = _person(person_id)
    history = session.get("assessment", f"/api/v1/people/{person_id}/history")
    units = all_units()
    names = {unit_id: unit["name"] for unit_id, unit in units.items()}
    return render_template(
        "pages/hr/person.html", person=person, typed=typed or person, errors=errors or {},
        units=by_name(units.values()),
        unit_names=names, LANGUAGES=LANGUAGES,
        history=[person_change(change, names) for change in history],
        changed_by=names_of({change["changed_by"] for change in history}),
        done=request.args.get("done"),
    )
