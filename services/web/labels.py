"""Words the pages use for the APIs' keys: settings, roles, statuses, visibilities."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

SETTINGS = {
    "individual_leader": _l("Leader's own reflection"),
    "work_community": _l("Work community"),
    "specific_task": _l("Specific task"),
    "leader_group": _l("Leader group"),
}
PARTICIPANT_ROLES = {
    "leader": _l("Leader"),
    "employee": _l("Employee"),
    "tr": _l("Union representative (TR)"),
    "amr": _l("Work-environment representative (AMR)"),
    "leader_of_leader": _l("Leader's leader"),
    "colleague": _l("Colleague (leader group)"),
}
STATUSES = {
    "open": _l("Open"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "dropped": _l("Dropped"),
}
VISIBILITIES = {
    "private": _l("Private: only you"),
    "shared": _l("Shared: participants, the unit's leader and TRIO, the leader's leader"),
}


def register(app) -> None:
    app.jinja_env.globals.update(
        SETTINGS=SETTINGS, PARTICIPANT_ROLES=PARTICIPANT_ROLES, STATUSES=STATUSES,
        VISIBILITIES=VISIBILITIES,
    )
    app.jinja_env.filters["day"] = day


def day(value) -> str:
    """A date (or an ISO date string) as the page's language writes it: '5. december 2026'."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, format="long")
