"""HR admins see the stream entries notify set aside and replay them once the cause is fixed."""

from __future__ import annotations

from functools import partial

from flask import current_app
from flask.views import MethodView
from flask_smorest import abort

from services.notify import dead_events, intake, service
from services.notify.celery_app import send_jobs
from services.notify.failures import QUEUE_OUTAGES, describe
from services.notify.metrics import DEAD_EVENTS_WAITING
from services.notify.models import DeadEvent
from services.notify.schemas import DeadEventArgs, DeadEventSchema
from shared.outbox import utcnow
from shared.web.api import Blueprint
from shared.web.db import db_session

QUEUE_RETRY_AFTER_SECONDS = 5

blp = Blueprint(
    "dead-events", __name__, url_prefix="/api/v1",
    description="Events notify set aside: they did not fit their schema, or handling them "
                "kept failing (role hr_admin).",
    errors={401: "No valid bearer token", 403: "Not an HR admin", 404: "No such dead event",
            409: "The event still does not fit or its handling failed again; the dead event "
                 "keeps the new error",
            422: "Invalid input; the errors name each field",
            503: "The database or the queue is unavailable; nothing changed, try again"},
)


@blp.route("/dead-events")
class DeadEvents(MethodView):
    @blp.secured("hr_admin", errors=(422,))
    @blp.arguments(DeadEventArgs, location="query")
    @blp.response(200, DeadEventSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Dead events, newest failure first (?status=dead|replayed)"""
        rows, pagination_parameters.item_count = service.list_newest_failures(
            db_session(), DeadEvent, status=args.get("status"),
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
        )
        return rows


@blp.route("/dead-events/<int:dead_event_id>/replay")
class Replay(MethodView):
    @blp.secured("hr_admin", errors=(404, 409, 503))
    @blp.response(200, DeadEventSchema)
    def post(self, dead_event_id):
        """Replay a dead event: its entry through the handlers again, as the consumer would

        Once handled (or found handled meanwhile) it is marked replayed and its jobs are on
        the queue."""
        deps = current_app.extensions["lederdialog.deps"]
        take = partial(intake.take, policy=deps.policy, now=utcnow(),
                       enqueue=partial(send_jobs, deps.celery))
        session = db_session()
        try:
            row = service.replay_dead_event(session, dead_event_id=dead_event_id, take=take)
        except service.NotFound as exc:
            abort(404, message=str(exc))
        except service.StillFailing as exc:
            abort(409, message=f"the event still fails: {exc}")
        except QUEUE_OUTAGES as exc:  # the database's: the service's own 503 answers them
            abort(503, message=f"the queue cannot be reached right now; try again "
                               f"({describe(exc)})",
                  headers={"Retry-After": str(QUEUE_RETRY_AFTER_SECONDS)})
        DEAD_EVENTS_WAITING.set(dead_events.waiting(session))
        return row
