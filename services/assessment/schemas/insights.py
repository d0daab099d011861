"""Schemas of the insights: the query that asks for one, and the keys and numbers it answers."""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, ValidationError, fields

from services.assessment.periods import Period
from shared.validation import Key

# Periods reach back as far as dialogues may be listed, and no further ahead than a year.
PERIOD_YEARS_BACK = 20

SUPPRESSED = ("True: the figure is not made of whole blocks of at least 5 dialogues, "
              "5 people and 3 leaders (see docs/insights.md); its numbers are null")


class PeriodField(fields.String):
    """A calendar year, half or quarter: 2026, 2026-H2, 2026-Q3."""

    def _deserialize(self, value, attr, data, **kwargs) -> Period:
        label = super()._deserialize(value, attr, data, **kwargs)
        try:
            period = Period.parse(label)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        this_year = date.today().year
        if not this_year - PERIOD_YEARS_BACK <= period.year <= this_year + 1:
            raise ValidationError(f"the year must be from {this_year - PERIOD_YEARS_BACK} "
                                  f"to {this_year + 1}")
        return period


class BalanceArgs(Schema):
    unit_id = Key(metadata={
        "description": "The unit; required for leaders, HR admins may leave it out: all units"
    })
    subtree = fields.Boolean(load_default=True, metadata={
        "description": "true (default): the unit and every unit below it; false: the unit alone"
    })
    period = PeriodField(load_default=lambda: Period.of(date.today()), metadata={
        "description": "A calendar year (2026), half (2026-H1, 2026-H2) or quarter "
                       "(2026-Q1 to 2026-Q4); default: this year"
    })


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
    period = fields.String(metadata={"description": "The period, as asked: 2026, 2026-H1, "
                                                    "2026-Q3"})
    start = fields.Date(data_key="from", attribute="from",
                        metadata={"description": "The period's first day"})
    end = fields.Date(data_key="to", attribute="to",
                      metadata={"description": "The period's last day"})
    min_group_size = fields.Integer(metadata={
        "description": "Fewest dialogues in a block the figures are made of"
    })
    min_people = fields.Integer(metadata={
        "description": "Fewest people (leaders and participants) in a block"
    })
    min_leaders = fields.Integer(metadata={"description": "Fewest leaders in a block"})
    suppressed = fields.Boolean(metadata={"description": SUPPRESSED})
    dialogues = fields.Nested(DialoguesCellSchema)
    focus_areas = fields.List(fields.Nested(FocusAreaCellSchema), metadata={
        "description": "Every focus area rated in the period, by key"
    })
    settings = fields.List(fields.Nested(SettingCellSchema), metadata={
        "description": "Every dialogue setting, in the framework's order"
    })
    actions = fields.Nested(ActionsCellSchema)
