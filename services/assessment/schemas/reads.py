"""Schema of the read log: one read of a dialogue's texts."""

from __future__ import annotations

from marshmallow import Schema, fields

from services.assessment.read_log import CHANNELS


class ReadSchema(Schema):
    reader_id = fields.String()
    reader_name = fields.String(allow_none=True, metadata={"description": (
        "The reader's name where the leader may know it (the people the dialogue names, and "
        "those the leader sees in the organisation), else null"
    )})
    channel = fields.String(metadata={"description": (
        f"How the texts were read: {', '.join(CHANNELS)} (web: the pages; email: notify, "
        "to send an email; export: a person's data export)"
    )})
    read_at = fields.DateTime()
