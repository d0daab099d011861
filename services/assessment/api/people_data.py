"""A person's data: everything the system holds about them (GDPR Art. 15), and erasure.

The erasure is DELETE /api/v1/people/{id} (api/org.py's PersonView calls `erase_person`); the
export is here.
"""

from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView

from services.assessment import erasure, export
from services.assessment.api.errors import answers_errors
from services.assessment.models import Erasure
from services.assessment.schemas.people_data import PersonExportSchema
from shared.http import http_session
from shared.web.api import Blueprint
from shared.web.auth import current_principal
from shared.web.db import db_session
from shared.web.observability import current_request_id

blp = Blueprint(
    "people_data", __name__, url_prefix="/api/v1",
    description="A person's data: the export of everything held about them, and erasure.",
    errors={
        401: "No valid bearer token",
        404: "No such person, or not one whose data you may have",
        503: "Notify cannot tell the emails right now (Retry-After); no export is given",
    },
)


def erase_person(person_id: str) -> Erasure:
    """The body of DELETE /people/{id}: erase the person as the calling HR admin."""
    return erasure.erase(db_session(), person_id=person_id,
                         erased_by=current_principal().sub, request_id=current_request_id())


@blp.route("/people/<person_id>/export")
class Export(MethodView):
    @blp.secured(errors=(404, 503))
    @blp.response(200, PersonExportSchema)
    @answers_errors
    def get(self, person_id):
        """Everything held about a person (GDPR Art. 15): the person or an HR admin.

        Of each dialogue, what the person may read: its texts only if the person may read
        it (each such dialogue gets a read of channel `export` in its read log). The
        emails are notify's, asked for with the caller's token; if notify cannot answer,
        503 and no export.
        """
        with http_session() as session:
            emails = export.NotifyEmails(current_app.config["SETTINGS"].notify_url, session)
            return export.export(
                db_session(), principal=current_principal(), person_id=person_id,
                emails=lambda pid: emails.of(pid,
                                             authorization=request.headers["Authorization"]),
            )
