"""Adding a person or a unit by hand, for HR: someone who starts before the next import, a
person who was erased and truly came back (an import refuses their former id), a new unit.

The forms are the ones that change a person or a unit, with the new record's id; the
API checks every field and its refusals show at their fields.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from services.web import session
from services.web.pages import hr_unit
from services.web.pages.hr_edit import add, filled
from services.web.pages.hr_organisation import TRIO, all_units, by_name
from services.web.pages.mine_data import LANGUAGES

blp = Blueprint("hr_new", __name__)
PERSON_FIELDS = ("id", "name", "email", "language", "unit_id")


@blp.get("/hr/organisation/new-person")
@session.hr_only
def person_form():
    return _person_page(typed={"language": "da", "unit_id": request.args.get("unit_id")})


@blp.post("/hr/organisation/new-person")
@session.hr_only
def add_person():
    return add("/api/v1/people", filled(PERSON_FIELDS, optional=("unit_id",)),
               "hr_person.show", "person_id",
               lambda errors: _person_page(typed=request.form, errors=errors))


@blp.get("/hr/organisation/new-unit")
@session.hr_only
def unit_form():
    return _unit_page(typed={"parent_id": request.args.get("parent_id")})


@blp.post("/hr/organisation/new-unit")
@session.hr_only
def add_unit():
    return add("/api/v1/units", filled(("id", *hr_unit.FIELDS), optional=hr_unit.OPTIONAL),
               "hr_unit.show", "unit_id",
               lambda errors: _unit_page(typed=request.form, errors=errors))


def _person_page(*, typed, errors: dict[str, str] | None = None) -> str:
    return render_template("pages/hr/new_person.html", typed=typed, errors=errors or {},
                           units=by_name(all_units().values()), LANGUAGES=LANGUAGES)


def _unit_page(*, typed, errors: dict[str, str] | None = None) -> str:
    return render_template("pages/hr/new_unit.html", typed=typed, errors=errors or {},
                           parents=by_name(all_units().values()), TRIO=TRIO)
