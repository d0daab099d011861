"""Who read a dialogue: its leader sees every read of its texts."""

from __future__ import annotations

from flask.views import MethodView

from services.assessment import read_log
from services.assessment.api.errors import answers_errors
from services.assessment.schemas.reads import ReadSchema
from shared.web.api import Blueprint
from shared.web.auth import current_principal
from shared.web.db import db_session

blp = Blueprint(
    "reads", __name__, url_prefix="/api/v1",
    description="The read log: who read a dialogue's texts, when and through which channel.",
    errors={
        401: "No valid bearer token",
        403: "Not the dialogue's leader (HR admins never read dialogue texts)",
        404: "No such dialogue, or not one the caller may read",
    },
)


@blp.route("/dialogues/<dialogue_id>/reads")
class Reads(MethodView):
    @blp.secured(errors=(403, 404))
    @blp.response(200, ReadSchema(many=True))
    @blp.paginate()
    @answers_errors
    def get(self, dialogue_id, pagination_parameters):
        """Who read the dialogue's texts, newest first (its leader only)"""
        items, pagination_parameters.item_count = read_log.list_reads(
            db_session(), principal=current_principal(), dialogue_id=dialogue_id,
            page=pagination_parameters.page, page_size=pagination_parameters.page_size,
        )
        return items
