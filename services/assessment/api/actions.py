"""Agreed actions: read by whoever may read their dialogue, changed by owner or leader."""

from __future__ import annotations

from flask.views import MethodView

from services.assessment import actions
from services.assessment.api.errors import answers_errors
from services.assessment.dialogue_rules import local_today
from services.assessment.schemas.actions import (
    ActionChangeRequestSchema,
    ActionListArgs,
    ActionListItemSchema,
    ActionSchema,
    CompletionSchema,
)
from shared.web.api import Blueprint
from shared.web.auth import current_principal
from shared.web.db import db_session
from shared.web.observability import current_request_id

blp = Blueprint(
    "actions", __name__, url_prefix="/api/v1",
    description="Actions agreed in dialogues: follow them through to done (or dropped).",
    errors={
        401: "No valid bearer token",
        403: "Only the action's owner or the dialogue's leader changes it, and only the leader "
             "gives it a new owner; HR admins see no actions (their titles are dialogue texts)",
        404: "No such action, or not one the caller may see",
        409: "The action is done or dropped; that is final",
        422: "Invalid input; the errors name each field",
    },
)


@blp.route("/actions")
class Actions(MethodView):
    @blp.secured(errors=(403, 422))
    @blp.arguments(ActionListArgs(), location="query")
    @blp.response(200, ActionListItemSchema(many=True))
    @blp.paginate()
    @answers_errors
    def get(self, args, pagination_parameters):
        """Your own actions and those of the dialogues you may read, soonest due first
        (?owner_left=true: the open ones whose owner left, of the dialogues you lead)"""
        items, pagination_parameters.item_count = actions.list_actions(
            db_session(), principal=current_principal(), today=local_today(),
            page=pagination_parameters.page, page_size=pagination_parameters.page_size, **args,
        )
        return items


@blp.route("/actions/<action_id>")
class Action(MethodView):
    @blp.secured(errors=(403, 404))
    @blp.response(200, ActionSchema)
    @answers_errors
    def get(self, action_id):
        """The action with its history"""
        return actions.get(db_session(), principal=current_principal(), action_id=action_id)

    @blp.secured(errors=(403, 404, 409, 422))
    @blp.arguments(ActionChangeRequestSchema())
    @blp.response(200, ActionSchema)
    @answers_errors
    def patch(self, body, action_id):
        """Change the status, renegotiate the due date (with a reason) and/or give the action a
        new owner (the dialogue's leader)"""
        return actions.change(
            db_session(), principal=current_principal(), action_id=action_id,
            request_id=current_request_id(), **body,
        )


@blp.route("/actions/<action_id>/complete")
class Completion(MethodView):
    @blp.secured(errors=(403, 404, 409, 422))
    @blp.arguments(CompletionSchema())
    @blp.response(200, ActionSchema)
    @answers_errors
    def post(self, body, action_id):
        """Complete the action with a short reflection"""
        return actions.complete(
            db_session(), principal=current_principal(), action_id=action_id,
            reflection=body["reflection"], request_id=current_request_id(),
        )
