"""Request and response schemas of the organisation API (units, people, the CSV import)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.assessment.org import RULES
from services.assessment.schemas.dialogues import HELD_YEARS_BACK
from shared.validation import ChangeSchema, Day

HR_ID = "Stable id from HR: 1 to 64 letters, digits, '.', '_' or '-'"


class UnitSchema(Schema):
    id = fields.String(metadata={"description": HR_ID})
    name = fields.String()
    parent_id = fields.String(allow_none=True, metadata={"description": "None: a top unit"})
    leader_id = fields.String(allow_none=True)
    tr_id = fields.String(allow_none=True, metadata={"description": "Union representative"})
    amr_id = fields.String(
        allow_none=True, metadata={"description": "Work-environment representative"}
    )
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class UnitUpdateSchema(ChangeSchema):
    name = fields.String(validate=RULES["name"])
    parent_id = fields.String(allow_none=True, validate=RULES["parent_id"], metadata={
        "description": "An existing unit, not this one nor one below it; null: a top unit"
    })
    leader_id = fields.String(allow_none=True, validate=RULES["leader_id"])
    tr_id = fields.String(allow_none=True, validate=RULES["tr_id"])
    amr_id = fields.String(allow_none=True, validate=RULES["amr_id"])


class UnitCreateSchema(UnitUpdateSchema):
    id = fields.String(required=True, validate=RULES["id"], metadata={"description": HR_ID})
    name = fields.String(required=True, validate=RULES["name"])


class UnitListArgs(Schema):
    parent_id = fields.String(
        validate=RULES["parent_id"], metadata={"description": "Only this unit's children"}
    )


class PersonSchema(Schema):
    id = fields.String(metadata={"description": HR_ID + "; also the sub of their token"})
    name = fields.String()
    email = fields.String()
    language = fields.String(metadata={"description": "da or en"})
    unit_id = fields.String(allow_none=True)
    left_on = fields.Date(allow_none=True, metadata={
        "description": "The day they left the organisation; null: still here"})
    erased_at = fields.DateTime(allow_none=True, metadata={
        "description": "When the person was erased: the id is a pseudonym, name and email gone"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class PersonUpdateSchema(ChangeSchema):
    name = fields.String(validate=RULES["name"])
    email = fields.String(validate=RULES["email"])
    language = fields.String(validate=RULES["language"], metadata={"description": "da or en"})
    unit_id = fields.String(allow_none=True, validate=RULES["unit_id"], metadata={
        "description": "The unit they work in; null: none"
    })
    # As far back as a dialogue may be held. The window's end is only a bound: update_person
    # refuses a day after today (Danish time).
    left_on = Day(past_years=HELD_YEARS_BACK, future_years=1, allow_none=True, metadata={
        "description": "The day they left, today at the latest; set on someone who had none, "
                       "it emits lederdialog.person.left.v1. null: they came back"
    })


class PersonCreateSchema(PersonUpdateSchema):
    class Meta:
        exclude = ("left_on",)  # a person is added working here; leaving is a change

    id = fields.String(required=True, validate=RULES["id"], metadata={"description": HR_ID})
    name = fields.String(required=True, validate=RULES["name"])
    email = fields.String(required=True, validate=RULES["email"])
    language = fields.String(
        load_default="da", validate=RULES["language"], metadata={"description": "da or en"}
    )


class PersonListArgs(Schema):
    unit_id = fields.String(
        validate=RULES["unit_id"], metadata={"description": "Only the people of this unit"}
    )
    id = fields.List(fields.String(validate=RULES["id"]), validate=validate.Length(max=100),
                     metadata={"description": "Only these people (?id=a&id=b, at most 100): "
                                              "the ones you may see, unknown ids left out"})


class ImportCountsSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()


class ImportArgs(Schema):
    whole = fields.Boolean(load_default=False, metadata={
        "description": "true: the file is the whole organisation; the people it does not "
                       "list (who have not left) are marked left today"})
    dry_run = fields.Boolean(load_default=False, metadata={
        "description": "true: check everything and answer as the import would, but write "
                       "nothing and emit nothing (a preview)"})


class ImportResultSchema(Schema):
    units = fields.Nested(ImportCountsSchema)
    people = fields.Nested(ImportCountsSchema)
    left = fields.List(fields.String(), metadata={
        "description": "The ids of the people marked left (only with whole=true), by id"})
