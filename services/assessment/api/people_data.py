"""A person's data: everything the system holds about them (GDPR Art. 15), and erasure."""

from __future__ import annotations

from shared.web.api import Blueprint

blp = Blueprint(
    "people_data", __name__, url_prefix="/api/v1",
    description="A person's data: the export of everything held about them, and erasure.",
)
