"""HR admins see the emails that could not be delivered and send them again."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import abort

from services.notify import service
from services.notify.models import DeadLetter
from services.notify.schemas import DeadLetterArgs, DeadLetterSchema
from shared.web.api import Blueprint
from shared.web.db import db_session

blp = Blueprint(
    "dead-letters", __name__, url_prefix="/api/v1",
    description="Emails the SMTP server refused for good (role hr_admin).",
    errors={401: "No valid bearer token", 403: "Not an HR admin", 404: "No such dead letter",
            422: "Invalid input; the errors name each field"},
)


def _enqueue(job: dict) -> None:
    current_app.extensions["lederdialog.deps"].celery.send_task("notify.deliver", args=[job])


@blp.route("/dead-letters")
class DeadLetters(MethodView):
    @blp.secured("hr_admin", errors=(422,))
    @blp.arguments(DeadLetterArgs, location="query")
    @blp.response(200, DeadLetterSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Dead letters, newest failure first (?status=dead|retrying|delivered)"""
        rows, pagination_parameters.item_count = service.list_newest_failures(
            db_session(), DeadLetter, status=args.get("status"),
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
        )
        return rows


@blp.route("/dead-letters/<int:dead_letter_id>/retry")
class Retry(MethodView):
    @blp.secured("hr_admin", errors=(404,))
    @blp.response(202, DeadLetterSchema)
    def post(self, dead_letter_id):
        """Send a dead letter again (same Message-ID); it is recorded as delivered once sent"""
        try:
            return service.retry_dead_letter(
                db_session(), dead_letter_id=dead_letter_id, enqueue=_enqueue
            )
        except service.NotFound as exc:
            abort(404, message=str(exc))
