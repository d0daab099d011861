"""Request and response schemas of the organisation API (units, people, the CSV import)."""

from __future__ import annotations

from functools import cache

from marshmallow import Schema, fields, validate

from services.assessment.org import RULES, SEARCH_MAX
from services.assessment.schemas.dialogues import HELD_YEARS_BACK
from shared.validation import ChangeSchema, Day, Line

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
    q = Line(max_length=SEARCH_MAX, metadata={
        "description": "Only those whose name or email holds this text, whatever the case "
                       f"(1 to {SEARCH_MAX} characters on one line)"})


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


class ImportFieldChangeSchema(Schema):
    field = fields.String()
    old = fields.String(allow_none=True)
    new = fields.String(allow_none=True)


class ImportUnitAddedSchema(Schema):
    id = fields.String()
    name = fields.String()
    parent_id = fields.String(allow_none=True)
    leader_id = fields.String(allow_none=True)
    tr_id = fields.String(allow_none=True)
    amr_id = fields.String(allow_none=True)


class ImportPersonAddedSchema(Schema):
    id = fields.String()
    name = fields.String()
    email = fields.String()
    language = fields.String()
    unit_id = fields.String(allow_none=True)


class ImportChangedSchema(Schema):
    id = fields.String()
    # Named so as not to hide marshmallow's `fields` in the class.
    changed_fields = fields.List(
        fields.Nested(ImportFieldChangeSchema), attribute="fields", data_key="fields",
        metadata={"description": "Each field that changes, but the place and the TRIO"})


class ImportMovedSchema(Schema):
    id = fields.String()
    old = fields.String(allow_none=True, metadata={"description": "The unit (or parent) before"})
    new = fields.String(allow_none=True, metadata={"description": "The unit (or parent) after"})


class ImportTrioChangeSchema(Schema):
    unit_id = fields.String()
    role = fields.String(metadata={"description": "leader, tr or amr"})
    old = fields.String(allow_none=True, metadata={"description": "The person before"})
    new = fields.String(allow_none=True, metadata={"description": "The person after"})


class ImportLeftSchema(Schema):
    id = fields.String()
    unit_id = fields.String(allow_none=True)


@cache  # one schema per kind of item, so the API's documentation names each once
def _listing_schema(item: type[Schema]) -> type[Schema]:
    return Schema.from_dict({
        "total": fields.Integer(),
        "items": fields.List(fields.Nested(item)),
    }, name=item.__name__.replace("Schema", "ListingSchema"))


def _listing(item: type[Schema], what: str) -> fields.Nested:
    """A list of changes of one kind: how many in all, and the first 1,000 (file order)."""
    return fields.Nested(_listing_schema(item), metadata={"description": what})


class ImportNamesSchema(Schema):
    units = fields.Dict(keys=fields.String(), values=fields.String())
    people = fields.Dict(keys=fields.String(), values=fields.String())


class ImportChangesSchema(Schema):
    units_added = _listing(ImportUnitAddedSchema, "New units, as the file has them")
    units_changed = _listing(ImportChangedSchema, "Units renamed")
    units_moved = _listing(ImportMovedSchema, "Units placed under another parent")
    people_added = _listing(ImportPersonAddedSchema, "New people, as the file has them")
    people_changed = _listing(ImportChangedSchema, "People whose name, email or language "
                                                   "changes")
    people_moved = _listing(ImportMovedSchema, "People moved to another unit")
    trio = _listing(ImportTrioChangeSchema, "A unit's leader, TR or AMR that changes hands "
                                            "(units already there)")
    left = _listing(ImportLeftSchema, "The people who leave (whole=true), with their unit")
    names = fields.Nested(ImportNamesSchema, metadata={
        "description": "The name of every unit and person the listed changes name, by id, "
                       "as after the import"})


class ImportResultSchema(Schema):
    units = fields.Nested(ImportCountsSchema)
    people = fields.Nested(ImportCountsSchema)
    left = fields.List(fields.String(), metadata={
        "description": "The ids of the people marked left (only with whole=true), by id"})
    changes = fields.Nested(ImportChangesSchema, metadata={
        "description": "Only with dry_run=true: every change one by one, each kind with its "
                       "total and its first 1,000 in the file's order"})
