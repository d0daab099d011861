"""Who the caller is: for any signed-in role, the person and units behind the token."""

from __future__ import annotations

from flask.views import MethodView

from services.assessment import me
from services.assessment.schemas.me import MeSchema
from shared.web.api import Blueprint
from shared.web.auth import current_principal
from shared.web.db import db_session

blp = Blueprint(
    "me", __name__, url_prefix="/api/v1",
    description="Who the caller's bearer token names: roles, person record and units.",
    errors={401: "No valid bearer token"},
)


@blp.route("/me")
class Me(MethodView):
    @blp.secured()
    @blp.response(200, MeSchema)
    def get(self):
        """Your token's subject and roles, your person record and the units you hold a place in"""
        return me.describe(db_session(), principal=current_principal())
