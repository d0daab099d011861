"""HR admins see the emails that could not be delivered and send them again, one or all."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import Schema, fields
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.notify import ledger, service
from services.notify.api.dead_events import QUEUE_RETRY_AFTER_SECONDS
from services.notify.celery_app import send_jobs
from services.notify.failures import QUEUE_OUTAGES, describe
from services.notify.models import DeadLetter
from services.notify.schemas import DeadLetterArgs, DeadLetterSchema
from shared.outbox import utcnow
from shared.web.api import Blueprint
from shared.web.db import db_session

DEAD, RETRYING = "dead", "retrying"
RETRY_ALL_BATCH = 500  # dead letters sent again per request; the answer says how many wait


class RetryAllSchema(Schema):
    retried = fields.Integer(metadata={"description": "Dead letters sent again by this request"})
    remaining = fields.Integer(metadata={
        "description": "Dead letters still waiting (more than one request's batch): ask again"})


blp = Blueprint(
    "dead-letters", __name__, url_prefix="/api/v1",
    description="Emails the SMTP server refused for good (role hr_admin).",
    errors={401: "No valid bearer token", 403: "Not an HR admin", 404: "No such dead letter",
            422: "Invalid input; the errors name each field",
            503: "The queue is unavailable; nothing changed, try again"},
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
    @blp.secured("hr_admin", errors=(404, 503))
    @blp.response(202, DeadLetterSchema)
    def post(self, dead_letter_id):
        """Send a dead letter again (same Message-ID); it is recorded as delivered once sent"""
        session = db_session()
        try:
            return service.retry_dead_letter(
                session, dead_letter_id=dead_letter_id, enqueue=_enqueue
            )
        except service.NotFound as exc:
            abort(404, message=str(exc))
        except QUEUE_OUTAGES as exc:
            _queue_unavailable(session, exc)


@blp.route("/dead-letters/retry")
class RetryAll(MethodView):
    @blp.secured("hr_admin", errors=(503,))
    @blp.response(202, RetryAllSchema)
    def post(self):
        """Send every dead letter (status dead) again

        Oldest failure first, at most 500 a request (`remaining` says how many still wait);
        each becomes retrying. One already retrying or delivered is left alone, so asking
        twice sends nothing twice."""
        session = db_session()
        try:
            retried = retry_dead(session, limit=RETRY_ALL_BATCH)
        except QUEUE_OUTAGES as exc:
            _queue_unavailable(session, exc)
        remaining = session.scalar(
            select(func.count()).select_from(DeadLetter).where(DeadLetter.status == DEAD))
        return {"retried": retried, "remaining": remaining}


def retry_dead(session: Session, *, limit: int) -> int:
    """Claim up to `limit` dead letters as retrying and queue their jobs; how many.

    The claim is a conditional UPDATE: of two requests at once, the second finds the
    letters the first claimed no longer dead (PostgreSQL re-checks the row it waited
    for), so no letter is queued twice. Queued before the commit, as one retry is."""
    now = utcnow()
    oldest = (select(DeadLetter.id).where(DeadLetter.status == DEAD)
              .order_by(DeadLetter.failed_at, DeadLetter.id).limit(limit))
    claimed = session.scalars(
        update(DeadLetter).where(DeadLetter.id.in_(oldest), DeadLetter.status == DEAD)
        .values(status=RETRYING, retried_at=now).returning(DeadLetter.id)).all()
    if not claimed:
        session.rollback()
        return 0
    letters = session.scalars(select(DeadLetter).where(DeadLetter.id.in_(claimed))).all()
    jobs = ledger.write_down(
        session, [{**letter.job, "dead_letter": letter.key} for letter in letters], now=now)
    send_jobs(current_app.extensions["lederdialog.deps"].celery, jobs)
    session.commit()
    return len(jobs)


def _queue_unavailable(session: Session, exc: Exception):
    """503 with Retry-After: the letters stay as they were (a job queued before the failure
    is sent once all the same, its key kept in deliveries)."""
    session.rollback()
    abort(503, message=f"the queue cannot be reached right now; try again ({describe(exc)})",
          headers={"Retry-After": str(QUEUE_RETRY_AFTER_SECONDS)})
