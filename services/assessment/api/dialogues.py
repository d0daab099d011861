"""Dialogues: leaders record them; participants, the TRIO and the leader's leader read them."""

from __future__ import annotations

from flask.views import MethodView

from services.assessment import dialogues
from services.assessment.api.common import framework
from services.assessment.api.errors import answers_errors
from services.assessment.schemas.dialogues import (
    DialogueBodySchema,
    DialogueFactsSchema,
    DialogueListArgs,
    DialogueSchema,
    RevisionSchema,
)
from shared.web.api import Blueprint
from shared.web.auth import current_principal
from shared.web.db import db_engine, db_session
from shared.web.observability import current_request_id

blp = Blueprint(
    "dialogues", __name__, url_prefix="/api/v1",
    description="Dialogues held with the framework: what came out of them, and who agreed what.",
    errors={
        401: "No valid bearer token",
        403: "Not allowed (HR admins never read dialogue texts)",
        404: "No such dialogue, or not one the caller may read",
        409: "The dialogue can no longer be amended",
        422: "Invalid input; the errors name each field",
        503: "The framework cannot be fetched right now (Retry-After)",
    },
)


@blp.route("/dialogues")
class Dialogues(MethodView):
    @blp.secured(errors=(403, 422))
    @blp.arguments(DialogueListArgs(), location="query")
    @blp.response(200, DialogueFactsSchema(many=True))
    @blp.paginate()
    @answers_errors
    def get(self, args, pagination_parameters):
        """The dialogues the caller may read, newest first (?unit_id, setting, from, to)"""
        items, pagination_parameters.item_count = dialogues.list_dialogues(
            db_session(), principal=current_principal(), page=pagination_parameters.page,
            page_size=pagination_parameters.page_size, **args,
        )
        return items

    @blp.secured("leader", errors=(422, 503))
    @blp.arguments(DialogueBodySchema())
    @blp.response(201, DialogueSchema)
    @answers_errors
    def post(self, body):
        """Record a dialogue (role leader: the unit's leader or the leader's leader)"""
        principal = current_principal()
        dialogue = dialogues.record(
            db_engine(), framework=framework(), recorder_id=principal.sub, body=body,
            request_id=current_request_id(),
        )
        return dialogue, {"Location": f"/api/v1/dialogues/{dialogue['id']}"}


@blp.route("/dialogues/<dialogue_id>")
class Dialogue(MethodView):
    @blp.secured(errors=(403, 404))
    @blp.response(200, DialogueSchema)
    @answers_errors
    def get(self, dialogue_id):
        """The whole dialogue: facts, the current revision's content, the actions"""
        return dialogues.get(db_session(), principal=current_principal(), dialogue_id=dialogue_id)

    @blp.secured(errors=(403, 404, 409, 422, 503))
    @blp.arguments(DialogueBodySchema())
    @blp.response(200, DialogueSchema)
    @answers_errors
    def put(self, body, dialogue_id):
        """Amend a dialogue (its leader, within 14 days): a new revision; new actions are added

        An amendment that adds no action and changes nothing else makes no revision: the
        dialogue is answered as it is, and nobody is notified."""
        dialogue = dialogues.amend(
            db_session(), framework=framework(), principal=current_principal(),
            dialogue_id=dialogue_id, body=body, request_id=current_request_id(),
        )
        return dialogues.describe(db_session(), dialogue)


@blp.route("/dialogues/<dialogue_id>/revisions")
class Revisions(MethodView):
    @blp.secured(errors=(403, 404))
    @blp.response(200, RevisionSchema(many=True))
    @answers_errors
    def get(self, dialogue_id):
        """Every revision of the dialogue, oldest first"""
        return dialogues.revisions(
            db_session(), principal=current_principal(), dialogue_id=dialogue_id
        )
