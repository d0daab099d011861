"""A person's overview: their own open actions and the year of each unit they lead, at once."""

from __future__ import annotations

from flask.views import MethodView

from services.assessment import overview
from services.assessment.api.errors import answers_errors
from services.assessment.dialogue_rules import local_today
from services.assessment.schemas.overview import OverviewSchema
from shared.web.api import Blueprint
from shared.web.auth import current_principal
from shared.web.db import db_session

blp = Blueprint(
    "overview", __name__, url_prefix="/api/v1",
    description="Everything the overview page shows, in one answer.",
    errors={
        401: "No valid bearer token",
        403: "HR admins see no actions or dialogues (their titles and facts are dialogue "
             "texts) unless they hold another role",
    },
)


@blp.route("/overview")
class Overview(MethodView):
    @blp.secured(errors=(403,))
    @blp.response(200, OverviewSchema)
    @answers_errors
    def get(self):
        """Your open actions; per unit you lead, this year's dialogues, follow-ups, open actions"""
        return overview.describe(db_session(), principal=current_principal(), today=local_today())
