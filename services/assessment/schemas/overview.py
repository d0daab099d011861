"""Schema of a person's overview (GET /api/v1/overview)."""

from __future__ import annotations

from marshmallow import Schema, fields

from services.assessment.models import SETTINGS
from services.assessment.overview import MAX_ACTIONS, MAX_FOLLOW_UPS
from services.assessment.schemas.actions import ActionListItemSchema
from services.assessment.schemas.dialogues import DialogueFactsSchema
from services.assessment.schemas.org import UnitSchema

OPEN_ACTIONS = "open or in_progress, soonest due first, as GET /actions lists them"


class UnitYearSchema(Schema):
    unit = fields.Nested(UnitSchema, metadata={"description": "The unit, as GET /units/{id}"})
    held = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Setting -> how many dialogues of the unit that you may read were held "
                       f"this year (Danish time); every setting ({', '.join(SETTINGS)}), "
                       "zeros included"
    })
    follow_ups = fields.List(fields.Nested(DialogueFactsSchema), metadata={
        "description": "The unit's dialogues you may read with follow_up_on today or later, "
                       f"soonest first (then newest first); at most {MAX_FOLLOW_UPS}"
    })
    open_actions = fields.List(fields.Nested(ActionListItemSchema), metadata={
        "description": f"The actions of the unit's dialogues you may read, {OPEN_ACTIONS}; "
                       f"at most {MAX_ACTIONS}"
    })


class OverviewSchema(Schema):
    year = fields.Integer(metadata={"description": "The year of `held` (Danish time)"})
    today = fields.Date(metadata={
        "description": "The day (Danish time) the follow-ups and any overdue actions count from"
    })
    own_actions = fields.List(fields.Nested(ActionListItemSchema), metadata={
        "description": f"The actions you own, {OPEN_ACTIONS}; at most {MAX_ACTIONS}"
    })
    units = fields.List(fields.Nested(UnitYearSchema), metadata={
        "description": "Each unit you lead, sorted by name"
    })
    names = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "Person id -> name of the listed actions' owners: each is yours or one "
                       "of a dialogue you may read, which names its action owners"
    })
