"""The pages, one module per kind of thing a person looks at."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from services.web import labels, session
from services.web.pages import (
    actions,
    dialogues,
    framework,
    hr_failed_emails,
    hr_framework,
    hr_import,
    hr_insights,
    hr_new,
    hr_organisation,
    hr_person,
    hr_unit,
    mine_data,
    overview,
    read_log,
    reassign,
    record,
    trio,
)

# endpoint, label, the roles that see it in the menu (None: everyone, signed in or not)
MENU = [
    ("overview.show", _l("My overview"), set()),
    ("record.start", _l("Record a dialogue"), {"leader"}),
    ("trio.show", _l("My unit's dialogues"), {"trio"}),
    ("framework.show", _l("The framework"), None),
    ("mine_data.show", _l("My data"), set()),
    ("insights.show", _l("Insights"), {"hr_admin", "leader"}),
    ("hr_framework.versions", _l("Framework versions"), {"hr_admin"}),
    ("hr_failed_emails.show", _l("Failed emails"), {"hr_admin"}),
    ("hr_organisation.show", _l("The organisation"), {"hr_admin"}),
    ("hr_import.start", _l("Import the organisation"), {"hr_admin"}),
]


def register(app: Flask) -> None:
    for module in (framework, overview, dialogues, actions, reassign, trio, record, mine_data,
                   hr_insights, hr_framework, hr_failed_emails, hr_organisation, hr_person,
                   hr_unit, hr_new, hr_import):
        app.register_blueprint(module.blp)
    labels.register(app)
    read_log.register(app)
    app.add_url_rule("/", "home", lambda: app.redirect("/overview"))
    app.jinja_env.globals["main_menu"] = lambda: _menu(app)


def _menu(app: Flask) -> list[tuple[str, str]]:
    """The menu entries the person may use: public ones, and when signed in those of their roles."""
    entries = []
    for endpoint, label, roles in MENU:
        if endpoint not in app.view_functions:
            continue
        if roles is None or (session.signed_in() and (not roles or roles & session.roles())):
            entries.append((endpoint, label))
    return entries
