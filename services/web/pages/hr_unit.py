"""A unit, for HR: edit its name, its place in the tree (the unit above it) and its leader,
TR and AMR, and see the people who work in it.

The unit above is chosen from the units that are not this one nor below it, so the tree
keeps no loop; the leader, TR and AMR are given by their id, with the unit's people offered
as suggestions (a TRIO member may work elsewhere). The API checks each and its refusals
show at their fields.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from services.web import session
from services.web.pages.hr_edit import changes, save
from services.web.pages.hr_organisation import TRIO, all_units, by_name
from services.web.people import names_of

blp = Blueprint("hr_unit", __name__)
PLACES = tuple(field for field, _label in TRIO)
OPTIONAL = ("parent_id", *PLACES)
FIELDS = ("name", *OPTIONAL)


@blp.get("/hr/units/<unit_id>")
@session.hr_only
def show(unit_id: str):
    return _page(unit_id)


@blp.post("/hr/units/<unit_id>")
@session.hr_only
def edit(unit_id: str):
    unit = _unit(unit_id)
    return save(f"/api/v1/units/{unit_id}", changes(unit, FIELDS, optional=OPTIONAL),
                lambda errors: _page(unit_id, errors=errors, typed=request.form))


def _unit(unit_id: str) -> dict:
    return session.get("assessment", f"/api/v1/units/{unit_id}")


def _page(unit_id: str, *, errors: dict[str, str] | None = None, typed=None) -> str:
    unit = _unit(unit_id)
    units = all_units()
    people = sorted(session.all_pages("assessment", "/api/v1/people", params={"unit_id": unit_id}),
                    key=lambda person: (person["name"].casefold(), person["id"]))
    below = _below(units, unit_id)
    return render_template(
        "pages/hr/unit.html", unit=unit, typed=typed or unit, errors=errors or {},
        parents=by_name(u for u in units.values() if u["id"] not in below),
        unit_names={u["id"]: u["name"] for u in units.values()}, people=people,
        names=names_of({unit[place] for place in PLACES}), TRIO=TRIO,
        done=request.args.get("done"),
    )


def _below(units: dict[str, dict], unit_id: str) -> set[str]:
    """The unit and every unit below it."""
    below, grown = {unit_id}, True
    while grown:
        more = {u["id"] for u in units.values() if u["parent_id"] in below} - below
        below |= more
        grown = bool(more)
    return below
