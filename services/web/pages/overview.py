"""My overview: a leader's units this year, their follow-ups and actions; everyone's own actions.

All of it comes from one call, GET /api/v1/overview: the assessment service decides what the
signed-in person may see, and counts the year and names the owners in Danish time.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template

from services.web import session
from services.web.labels import SETTINGS

blp = Blueprint("overview", __name__)


@blp.get("/overview")
@session.sign_in_required
def show():
    overview = session.get("assessment", "/api/v1/overview")
    today = date.fromisoformat(overview["today"])
    return render_template(
        "pages/overview.html", units=[_unit_year(entry, today) for entry in overview["units"]],
        own_actions=overview["own_actions"], today=today, names=overview["names"],
    )


def _unit_year(entry: dict, today: date) -> dict:
    """One led unit: this year's dialogues per setting, what is missing, follow-ups, actions."""
    held = {setting: entry["held"].get(setting, 0) for setting in SETTINGS}
    actions = entry["open_actions"]
    return {
        "unit": entry["unit"], "held": held, "missing": [s for s, n in held.items() if n == 0],
        "follow_ups": entry["follow_ups"], "actions": actions,
        "overdue": [a for a in actions if a["due_on"] < today.isoformat()],
    }
