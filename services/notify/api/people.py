"""A person's emails, notify's part of their export (GDPR Art. 15): for the person
themself, HR admins, and the assessment service assembling the export (role service)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort

from services.notify import export
from services.notify.schemas import PersonEmailsSchema, PersonPathSchema
from shared.web.api import Blueprint
from shared.web.auth import current_principal
from shared.web.db import db_session

# Who may see anyone's emails; everyone sees their own.
SEE_ANYONE = ("hr_admin", "service")

blp = Blueprint(
    "people", __name__, url_prefix="/api/v1",
    description="What notify keeps about a person: the emails sent or tried to them, the "
                "reminders planned for them and the emails given up on (the person, HR "
                "admins, the service role).",
    errors={401: "No valid bearer token",
            404: "Someone else's emails (HR admins and the service role see anyone's)",
            422: "Invalid input; the errors name each field"},
)


@blp.route("/emails/<person_id>")
class PersonEmails(MethodView):
    @blp.secured(errors=(404, 422))
    @blp.arguments(PersonPathSchema, location="path")
    @blp.response(200, PersonEmailsSchema)
    def get(self, path, person_id):
        """A person's emails: sent or tried to them, planned for them, given up on

        Kinds, states and times: notify keeps no email's text. Each list holds its newest
        (of the planned, soonest) rows up to a limit, and `truncated` names those cut
        short. A person no email was ever about answers empty lists."""
        principal = current_principal()
        if principal.sub != person_id and not principal.has_any(*SEE_ANYONE):
            abort(404, message=f"no emails of person {person_id} found")
        return export.emails_of(db_session(), path["person_id"])
