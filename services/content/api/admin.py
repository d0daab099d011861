"""HR admins manage framework versions: draft, edit, delete, publish."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort

from services.content import service
from services.content.api.common import cache
from services.content.schemas import TextChangesSchema, VersionSummarySchema
from shared.web.api import Blueprint
from shared.web.auth import current_principal
from shared.web.db import db_session
from shared.web.observability import current_request_id

blp = Blueprint(
    "framework-admin", __name__, url_prefix="/api/v1/framework",
    description="HR admins draft, edit and publish framework versions (role hr_admin).",
    errors={401: "No valid bearer token", 403: "Not an HR admin", 404: "No such version",
            409: "The version is published and can no longer change",
            422: "Invalid input; the errors name each field"},
)


def _conflict_or_missing(exc: Exception):
    abort(409 if isinstance(exc, service.Conflict) else 404, message=str(exc))


HR_ONLY = blp.secured("hr_admin", errors=(404, 409, 422))


@blp.route("/versions")
class Drafts(MethodView):
    @HR_ONLY
    @blp.response(201, VersionSummarySchema)
    def post(self):
        """Start a draft as a copy of the current version"""
        principal = current_principal()
        try:
            return service.create_draft(db_session(), by=principal.sub)
        except (service.Conflict, service.NotFound) as exc:
            _conflict_or_missing(exc)


@blp.route("/versions/<int:version_id>")
class Draft(MethodView):
    @HR_ONLY
    @blp.response(204)
    def delete(self, version_id):
        """Delete a draft"""
        try:
            service.delete_draft(db_session(), version_id=version_id)
        except (service.Conflict, service.NotFound) as exc:
            _conflict_or_missing(exc)


@blp.route("/versions/<int:version_id>/texts")
class DraftTexts(MethodView):
    @HR_ONLY
    @blp.arguments(TextChangesSchema())
    @blp.response(200, VersionSummarySchema)
    def patch(self, body, version_id):
        """Change texts of a draft, in either language; all changes apply or none"""
        try:
            return service.edit_texts(
                db_session(), version_id=version_id, changes=body["changes"]
            )
        except service.InvalidTextPath as exc:
            abort(422, message=str(exc),
                  errors={"json": {"changes": {str(exc.index): {"path": [str(exc)]}}}})
        except (service.Conflict, service.NotFound) as exc:
            _conflict_or_missing(exc)


@blp.route("/versions/<int:version_id>/publish")
class Publish(MethodView):
    @HR_ONLY
    @blp.response(200, VersionSummarySchema)
    def post(self, version_id):
        """Publish a draft: it becomes the current version and never changes again"""
        principal = current_principal()
        try:
            version = service.publish(
                db_session(), version_id=version_id, by=principal.sub,
                request_id=current_request_id(),
            )
        except (service.Conflict, service.NotFound) as exc:
            _conflict_or_missing(exc)
        cache().forget_current()
        return version
