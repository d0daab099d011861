"""HR admins see the emails that could not be delivered and send them again."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from services.notify import service
from services.notify.schemas import DeadLetterArgs, DeadLetterSchema
from shared.web.auth import require_principal
from shared.web.db import db_session

blp = Blueprint(
    "dead-letters", __name__, url_prefix="/api/v1",
    description="Emails the SMTP server refused for good (role hr_admin).",
)
ERRORS = {401: "No valid bearer token", 403: "Not an HR admin"}


def _documented(view):
    for status, description in ERRORS.items():
        view = blp.alt_response(status, description=description)(view)
    return blp.doc(security=[{"bearerAuth": []}])(view)


def _enqueue(job: dict) -> None:
    current_app.extensions["lederdialog.deps"].celery.send_task("notify.deliver", args=[job])


@blp.route("/dead-letters")
class DeadLetters(MethodView):
    @_documented
    @blp.arguments(DeadLetterArgs, location="query")
    @blp.response(200, DeadLetterSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Dead letters, newest failure first (?status=dead|retrying|delivered)"""
        require_principal("hr_admin")
        rows, pagination_parameters.item_count = service.list_dead_letters(
            db_session(), status=args.get("status"), page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
        )
        return rows


@blp.route("/dead-letters/<int:dead_letter_id>/retry")
class Retry(MethodView):
    @_documented
    @blp.alt_response(404, description="No such dead letter")
    @blp.response(202, DeadLetterSchema)
    def post(self, dead_letter_id):
        """Send a dead letter again (same Message-ID); it is recorded as delivered once sent"""
        require_principal("hr_admin")
        try:
            return service.retry_dead_letter(
                db_session(), dead_letter_id=dead_letter_id, enqueue=_enqueue
            )
        except service.NotFound as exc:
            abort(404, message=str(exc))
