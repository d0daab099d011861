"""My overview: a leader's units this year, their follow-ups and actions; everyone's own actions."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template

from services.web import session
from services.web.labels import SETTINGS
from services.web.people import names_of

blp = Blueprint("overview", __name__)
OPEN = ["open", "in_progress"]


@blp.get("/overview")
@session.sign_in_required
def show():
    me = session.me()
    today = date.today()
    own_actions = session.all_pages(
        "assessment", "/api/v1/actions", params={"owner_id": me["sub"], "status": OPEN},
    )
    units = [_unit_year(unit, today) for unit in me.get("leads", [])]
    return render_template(
        "pages/overview.html", me=me, units=units, own_actions=own_actions, today=today,
        names=names_of({action["owner_id"] for unit in units for action in unit["actions"]}),
    )


def _unit_year(unit: dict, today: date) -> dict:
    """One led unit: this year's dialogues per setting, what is missing, follow-ups, actions."""
    dialogues = session.all_pages("assessment", "/api/v1/dialogues", params={
        "unit_id": unit["id"], "from": date(today.year, 1, 1).isoformat(),
    })
    held = {setting: 0 for setting in SETTINGS}
    for dialogue in dialogues:
        held[dialogue["setting"]] = held.get(dialogue["setting"], 0) + 1
    follow_ups = sorted(session.all_pages("assessment", "/api/v1/dialogues", params={
        "unit_id": unit["id"], "follow_up_from": today.isoformat(),
    }), key=lambda d: d["follow_up_on"])
    actions = session.all_pages(
        "assessment", "/api/v1/actions", params={"unit_id": unit["id"], "status": OPEN},
    )
    return {
        "unit": unit, "held": held, "missing": [s for s, n in held.items() if n == 0],
        "follow_ups": follow_ups, "actions": actions,
        "overdue": [a for a in actions if a["due_on"] < today.isoformat()],
    }

