"""A TRIO member's view: the shared dialogues of their units and the actions that follow."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template

from services.web import session
from services.web.people import names_of

blp = Blueprint("trio", __name__)


@blp.get("/trio")
@session.sign_in_required
def show():
    me = session.me()
    units = {unit["id"]: unit for unit in [*me.get("tr_of", []), *me.get("amr_of", [])]}
    if not units:
        abort(404)
    entries = [{
        "unit": unit,
        "dialogues": session.all_pages("assessment", "/api/v1/dialogues",
                                       params={"unit_id": unit["id"]}),
        "actions": session.all_pages("assessment", "/api/v1/actions",
                                     params={"unit_id": unit["id"]}),
    } for unit in sorted(units.values(), key=lambda u: u["name"])]
    owners = {action["owner_id"] for entry in entries for action in entry["actions"]}
    return render_template("pages/trio.html", entries=entries, names=names_of(owners),
                           today=date.today())
