"""The framework (public): focus areas, commitments, the leader's role, reflection questions."""

from __future__ import annotations

from flask import Blueprint, render_template

from services.web.language import current_language
from services.web.session import get

blp = Blueprint("framework", __name__)


@blp.get("/framework")
def show():
    framework = get("content", "/api/v1/framework", params={"lang": current_language()})
    return render_template("pages/framework.html", framework=framework)
