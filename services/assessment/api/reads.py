"""Who read a dialogue: its leader sees every read of its texts."""

from __future__ import annotations

from shared.web.api import Blueprint

blp = Blueprint(
    "reads", __name__, url_prefix="/api/v1",
    description="The read log: who read a dialogue's texts, when and through which channel.",
)
