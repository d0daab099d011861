"""Schemas of the insights: the query that asks for one, and the keys and numbers it answers."""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, ValidationError, fields, post_load

from services.assessment.insights import default_start
from shared.validation import Day, Key

# Periods reach back as far as dialogues may be listed, and no further ahead than a year.
PERIOD_YEARS_BACK = 20

SUPPRESSED = "True: built from fewer than min_group_size dialogues or people; figures are null"


class BalanceArgs(Schema):
    unit_id = Key(metadata={
        "description": "The unit; required for leaders, HR admins may leave it out: all units"
    })
    subtree = fields.Boolean(load_default=True, metadata={
        "description": "true (default): the unit and every unit below it; false: the unit alone"
    })
    start = Day(past_years=PERIOD_YEARS_BACK, future_years=1, data_key="from", metadata={
        "description": "First day the dialogues were held (default: twelve months before to)"
    })
    end = Day(past_years=PERIOD_YEARS_BACK, future_years=1, data_key="to",
              metadata={"description": "Last day (default: today)"})

    @post_load
    def _period(self, data: dict, **_kwargs) -> dict:
        data.setdefault("end", date.today())
        data.setdefault("start", default_start(data["end"]))
        if data["start"] > data["end"]:
            raise ValidationError("the period ends before it starts", field_name="to")
        return data


class DialoguesCellSchema(Schema):
    count = fields.Integer(allow_none=True)
    suppressed = fields.Boolean(metadata={"description": SUPPRESSED})


class FocusAreaCellSchema(Schema):
    focus_area = fields.String(metadata={"description": "The focus area's key"})
    average_rating = fields.Float(allow_none=True, metadata={"description": "1 to 5"})
    average_weight = fields.Float(allow_none=True, metadata={"description": "0 to 100"})
    dialogues = fields.Integer(allow_none=True)
    suppressed = fields.Boolean(metadata={"description": SUPPRESSED})


class SettingCellSchema(Schema):
    setting = fields.String(metadata={"description": "The dialogue setting's key"})
    dialogues = fields.Integer(allow_none=True)
    suppressed = fields.Boolean(metadata={"description": SUPPRESSED})


class ActionsCellSchema(Schema):
    agreed = fields.Integer(allow_none=True)
    done = fields.Integer(allow_none=True)
    overdue = fields.Integer(allow_none=True, metadata={
        "description": "Neither done nor dropped, and due before today"
    })
    suppressed = fields.Boolean(metadata={
        "description": "True: the dialogues that agreed actions are fewer than min_group_size, "
                       "or so are their people; figures are null"
    })


class BalanceSchema(Schema):
    unit_id = fields.String(allow_none=True, metadata={"description": "null: all units"})
    subtree = fields.Boolean()
    start = fields.Date(data_key="from", attribute="from")
    end = fields.Date(data_key="to", attribute="to")
    min_group_size = fields.Integer(metadata={
        "description": "Fewest dialogues, and fewest people, a figure is built from"
    })
    dialogues = fields.Nested(DialoguesCellSchema)
    focus_areas = fields.List(fields.Nested(FocusAreaCellSchema), metadata={
        "description": "Every focus area rated in the period, by key"
    })
    settings = fields.List(fields.Nested(SettingCellSchema), metadata={
        "description": "Every dialogue setting, in the framework's order"
    })
    actions = fields.Nested(ActionsCellSchema)
