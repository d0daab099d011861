"""Insights: aggregated, anonymised figures for HR admins and leaders; never a text."""

from __future__ import annotations

from datetime import date

from flask.views import MethodView

from services.assessment import insights
from services.assessment.api.errors import answers_errors
from services.assessment.schemas.insights import BalanceArgs, BalanceSchema
from shared.web.api import Blueprint
from shared.web.auth import current_principal
from shared.web.db import db_session

blp = Blueprint(
    "insights", __name__, url_prefix="/api/v1",
    description="Aggregated figures of the shared dialogues, per fixed period; published only "
                "when made of whole blocks of at least 5 dialogues, 5 people and 3 leaders.",
    errors={
        401: "No valid bearer token",
        403: "Neither an HR admin nor the leader of the unit or of a unit above it",
        404: "No such unit",
        422: "Invalid input; the errors name each field",
    },
)


@blp.route("/insights/balance")
class Balance(MethodView):
    @blp.secured("hr_admin", "leader", errors=(404, 422))
    @blp.arguments(BalanceArgs(), location="query")
    @blp.response(200, BalanceSchema)
    @answers_errors
    def get(self, args):
        """A unit's balance over a year, half or quarter: focus areas, settings and actions"""
        return insights.balance(
            db_session(), principal=current_principal(), unit_id=args.get("unit_id"),
            subtree=args["subtree"], period=args["period"], today=date.today(),
        )
